# The chunk-selection kernels (native/cuda/chunk_select.cu) must select the CPU's chunks bit for bit
# (docs/rwkv-x.md §5.2), so every floating-point arithmetic instruction in their PTX has to be a
# correctly rounded fp32 add, mul or fma that ptxas may neither contract nor approximate. This script
# compiles the file to PTX for each architecture the library is built for (with the library's flags)
# and fails, listing the offending lines, on any other floating-point arithmetic: unrounded add.f32 /
# mul.f32 (ptxas may fuse them), .ftz, .approx, .sat, directed rounding (.rz/.rm/.rp), sub, div, rcp,
# sqrt, ex2, lg2, min/max, neg/abs, f64 or f16 arithmetic, and conversions other than the exact
# widenings cvt.f32.f16 / cvt.f32.bf16 (an int-to-float cvt would round). A plain a * b + c, which
# nvcc contracts into an fma.rn.f32 of its own, is caught by compiling once more with -fmad=false and
# comparing the FMA counts. Needs nvcc, not a GPU.
#
#   cmake -DNVCC=<nvcc> -DSOURCE_DIR=<repository root> -DWORK_DIR=<scratch dir>
#         [-DSOURCE=<file to check, default native/cuda/chunk_select.cu>] -P check_selection_ptx.cmake

cmake_policy(VERSION 3.16)

foreach(var NVCC SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_selection_ptx: pass -D${var}=...")
  endif()
endforeach()
if(NOT DEFINED SOURCE)
  set(SOURCE ${SOURCE_DIR}/native/cuda/chunk_select.cu)
endif()
file(MAKE_DIRECTORY ${WORK_DIR})

# The exact instructions allowed where a floating-point type appears in an arithmetic opcode.
set(allowed add.rn.f32 mul.rn.f32 fma.rn.f32 cvt.f32.f16 cvt.f32.bf16)
# Opcodes that compute with (or convert) their floating-point operands. Loads, stores, moves,
# selects and comparisons (setp, set, selp, testp) are exact and not listed.
set(arith_ops add sub mul mad fma div rcp sqrt rsqrt ex2 lg2 sin cos tanh min max neg abs copysign cvt)

# Compiles SOURCE to PTX for arch with the extra flags; fails when nvcc does.
function(compile_ptx arch ptx)
  execute_process(
    COMMAND ${NVCC} -ptx -std=c++17 -O3 -lineinfo --expt-relaxed-constexpr -arch=${arch} ${ARGN}
            -I ${SOURCE_DIR}/include -I ${SOURCE_DIR}/native ${SOURCE} -o ${ptx}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_selection_ptx: nvcc -ptx -arch=${arch} ${ARGN} failed (${rc}):\n${out}${err}")
  endif()
endfunction()

# Scans a PTX file: <prefix>_bad (report lines of disallowed instructions), <prefix>_allowed (how
# many allowed floating-point instructions), <prefix>_fma (how many fma.rn.f32).
function(scan_ptx ptx label prefix)
  # One list element per PTX line. Semicolons and square brackets mean something to CMake lists, so
  # statement ends become '|' and brackets become parentheses first.
  file(READ ${ptx} text)
  string(REPLACE ";" "|" text "${text}")
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  string(REPLACE "\\" "/" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")

  set(bad "")
  set(line_no 0)
  set(n_allowed 0)
  set(n_fma 0)
  foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    string(REGEX REPLACE "//.*$" "" code "${line}")
    # A line may hold several statements (inline asm comes as "{ cvt.f32.f16 %f1, %rs1;}").
    string(REPLACE "|" ";" statements "${code}")
    foreach(stmt IN LISTS statements)
      string(REGEX REPLACE "^[ \t{}]+" "" stmt "${stmt}")
      string(REGEX REPLACE "^@!?%[A-Za-z0-9_]+[ \t]+" "" stmt "${stmt}")  # predicate guard
      if(NOT stmt MATCHES "^([a-z][a-z0-9_.]*)")
        continue()
      endif()
      set(opcode ${CMAKE_MATCH_1})
      string(REPLACE "." ";" parts "${opcode}")
      list(GET parts 0 base)
      if(NOT base IN_LIST arith_ops)
        continue()
      endif()
      set(is_float FALSE)
      foreach(part IN LISTS parts)
        if(part MATCHES "^(f16|f16x2|bf16|bf16x2|f32|f32x2|f64|tf32|e4m3|e4m3x2|e5m2|e5m2x2|e2m1x2|e2m3x2|e3m2x2|ue8m0x2)$")
          set(is_float TRUE)
        endif()
      endforeach()
      if(NOT is_float)
        continue()
      endif()
      if(opcode IN_LIST allowed)
        math(EXPR n_allowed "${n_allowed} + 1")
        if(opcode STREQUAL "fma.rn.f32")
          math(EXPR n_fma "${n_fma} + 1")
        endif()
      else()
        string(STRIP "${line}" shown)
        string(REPLACE "|" ";" shown "${shown}")
        string(APPEND bad "  ${label} line ${line_no}: ${shown}\n")
      endif()
    endforeach()
  endforeach()
  set(${prefix}_bad "${bad}" PARENT_SCOPE)
  set(${prefix}_allowed ${n_allowed} PARENT_SCOPE)
  set(${prefix}_fma ${n_fma} PARENT_SCOPE)
endfunction()

set(failures "")
foreach(arch sm_80 sm_90a)
  set(ptx ${WORK_DIR}/chunk_select_${arch}.ptx)
  compile_ptx(${arch} ${ptx})
  scan_ptx(${ptx} ${arch} lib)
  # A parse that found nothing would pass vacuously: the scores are FMA chains, so there must be some.
  if(lib_allowed EQUAL 0 OR lib_fma EQUAL 0)
    message(FATAL_ERROR "check_selection_ptx: no fma.rn.f32 found in ${ptx}; the parse is broken")
  endif()
  string(APPEND failures "${lib_bad}")

  # A plain a * b + c is contracted by nvcc into an fma.rn.f32 that the scan cannot tell from
  # rules::fma_rn. Compiled again without contraction (-fmad=false), only the intrinsics remain
  # FMAs: a different count means plain arithmetic was fused.
  set(ptx_nofma ${WORK_DIR}/chunk_select_${arch}_nofmad.ptx)
  compile_ptx(${arch} ${ptx_nofma} -fmad=false)
  scan_ptx(${ptx_nofma} "${arch} -fmad=false" nofmad)
  if(NOT lib_fma EQUAL nofmad_fma)
    string(APPEND failures "  ${arch}: ${lib_fma} fma.rn.f32 as built but ${nofmad_fma} with -fmad=false: "
                           "plain a * b + c arithmetic was contracted; use rules::fma_rn / mul_rn / add_rn\n")
  endif()
  message(STATUS "${arch}: ${lib_allowed} correctly rounded fp32 instructions, ${lib_fma} of them fma.rn.f32")
endforeach()

if(NOT failures STREQUAL "")
  message(FATAL_ERROR "check_selection_ptx: floating-point instructions in ${SOURCE} that are not exactly "
                      "add.rn.f32, mul.rn.f32, fma.rn.f32 or an exact widening cvt.f32.f16/bf16 "
                      "(docs/rwkv-x.md §5.2):\n${failures}")
endif()
message(STATUS "check_selection_ptx: ${SOURCE} holds only correctly rounded fp32 add/mul/fma")
