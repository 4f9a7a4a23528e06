# Fails when a folder of native/ includes a folder above it. The layers, top to bottom:
#   api -> backend -> model -> attention -> cpu -> common, with cuda beside backend (reached from api
#   only; it sees the backend interface and common).
# Run by ctest (native_include_layers):  cmake -DNATIVE_DIR=<repo>/native -P check_include_layers.cmake
# Every `#include "folder/..."` in native/**/*.{h,inc,cpp,cu,cuh} is checked against the table
# below; an include of the file's own folder, and of the public rwkvx.h, is always allowed. A new
# folder must get a row here before it can include anything.
cmake_minimum_required(VERSION 3.22)

set(allowed_api backend model attention cpu cuda common)
set(allowed_backend model attention cpu common)
set(allowed_model attention cpu common)
set(allowed_attention cpu common)
set(allowed_cpu common)
set(allowed_cuda backend common)
set(allowed_common "")
set(layers api backend model attention cpu cuda common)

if(NOT NATIVE_DIR OR NOT IS_DIRECTORY "${NATIVE_DIR}")
  message(FATAL_ERROR "check_include_layers: set -DNATIVE_DIR=<repo>/native (got '${NATIVE_DIR}')")
endif()

file(GLOB_RECURSE sources RELATIVE "${NATIVE_DIR}"
     "${NATIVE_DIR}/*.h" "${NATIVE_DIR}/*.inc" "${NATIVE_DIR}/*.cpp" "${NATIVE_DIR}/*.cu" "${NATIVE_DIR}/*.cuh")
set(violations "")
set(checked 0)
foreach(source IN LISTS sources)
  string(REGEX MATCH "^[^/]+" folder "${source}")
  if(NOT folder IN_LIST layers)
    list(APPEND violations "native/${source}: folder '${folder}' has no row in check_include_layers.cmake")
    continue()
  endif()
  file(STRINGS "${NATIVE_DIR}/${source}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS includes)
    if(NOT line MATCHES "\"([^\"]+)\"")
      continue()
    endif()
    set(path "${CMAKE_MATCH_1}")
    math(EXPR checked "${checked} + 1")
    if(path STREQUAL "rwkvx.h")
      continue()
    endif()
    if(NOT path MATCHES "^([A-Za-z0-9_]+)/")
      list(APPEND violations "native/${source}: #include \"${path}\" names no folder (write it as folder/file)")
      continue()
    endif()
    set(target "${CMAKE_MATCH_1}")
    if(target STREQUAL folder)
      continue()
    endif()
    if(NOT target IN_LIST allowed_${folder})
      list(APPEND violations "native/${source}: ${folder}/ must not include ${target}/ (\"${path}\")")
    endif()
  endforeach()
endforeach()

list(LENGTH sources n_sources)
if(violations)
  list(LENGTH violations n)
  string(REPLACE ";" "\n  " listing "${violations}")
  message(FATAL_ERROR "include layers: ${n} violation(s) in ${n_sources} files:\n  ${listing}\n"
                      "Allowed: api -> backend, model, attention, cpu, cuda, common; backend -> model, attention, cpu, common; "
                      "model -> attention, cpu, common; "
                      "attention -> cpu, common; cpu -> common; cuda -> backend, common; common -> nothing.")
endif()
message(STATUS "include layers: ${checked} includes in ${n_sources} files, none upward")
