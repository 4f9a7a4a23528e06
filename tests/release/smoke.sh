#!/usr/bin/env bash
# Release smoke test: builds the release artifacts (jar, sources jar, javadoc jar, which fails on any javadoc
# warning), installs them into a throwaway local Maven repository as `mvn install` would, then builds and runs
# the ten-line consumer project in tests/release/consumer against that repository, as a user's project:
#   - on the class path and on the module path (the consumer is a module: it compiles only against what
#     module io.rwkvx exports);
#   - its greedy text must equal the command line's `generate` on the same prompt;
#   - a second project (tests/release/consumer-langchain4j) adds langchain4j-core, the provider's optional
#     dependency, and chats through io.rwkvx.langchain4j the same two ways.
# Everything else the consumer build needs (Maven's own plugins) is copied from the machine's local repository,
# used as a read-only mirror, so no network is needed and the machine's repository is never written.
#
# Usage: tests/release/smoke.sh [--no-build]   (--no-build: reuse target/*.jar from an earlier package)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

fail() {
  echo "smoke: FAILED: $*" >&2
  exit 1
}

# A JDK 22+ for the consumer (FFM); Maven's own JVM may be older.
jdk_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
JDK=${JAVA_HOME:-}
if [[ -z $JDK || ! -x $JDK/bin/java || $(jdk_major "$JDK") -lt 22 ]]; then
  JDK=$(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*2[2-9]* 2>/dev/null | head -1 || true)
fi
[[ -n $JDK && -x $JDK/bin/java ]] || fail "no JDK 22 or newer found (set JAVA_HOME)"
export JAVA_HOME=$JDK
JAVA=$JDK/bin/java

VERSION=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)
JAR=target/rwkvx-$VERSION.jar
if [[ ${1:-} != --no-build ]]; then
  echo "smoke: mvn package (jar, sources, javadoc)"
  mvn -B -q -DskipTests package
fi
for f in "$JAR" "target/rwkvx-$VERSION-sources.jar" "target/rwkvx-$VERSION-javadoc.jar"; do
  [[ -s $f ]] || fail "$f was not built"
done

echo "smoke: the artifacts"
"$JDK/bin/jar" --describe-module --file "$JAR" > target/smoke-module.txt
grep -q '^io.rwkvx@'"$VERSION" target/smoke-module.txt || fail "$JAR is not module io.rwkvx@$VERSION: $(cat target/smoke-module.txt)"
grep -q '^exports io.rwkvx$' target/smoke-module.txt || fail "$JAR does not export io.rwkvx"
if grep -qE '^exports io\.rwkvx\.(ffi|nativelib|cli|server|format)' target/smoke-module.txt; then
  fail "$JAR exports an internal package: $(grep '^exports' target/smoke-module.txt)"
fi
"$JDK/bin/jar" tf "$JAR" | grep -qx 'META-INF/native/linux-x86_64/librwkvx.so' || fail "$JAR lacks the native library"
"$JDK/bin/jar" tf "$JAR" | grep -qx 'META-INF/LICENSE' || fail "$JAR lacks META-INF/LICENSE"
"$JDK/bin/jar" tf "target/rwkvx-$VERSION-sources.jar" | grep -qx 'io/rwkvx/Session.java' \
  || fail "the sources jar lacks io/rwkvx/Session.java"
"$JDK/bin/jar" tf "target/rwkvx-$VERSION-javadoc.jar" | grep -q 'io/rwkvx/Session.html' \
  || fail "the javadoc jar lacks io/rwkvx/Session.html"
if "$JDK/bin/jar" tf "target/rwkvx-$VERSION-javadoc.jar" | grep -q 'io/rwkvx/ffi/'; then
  fail "the javadoc jar documents the internal bindings"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rwkvx-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
REPO=$WORK/repo
CACHE=$(mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || true)
[[ -d $CACHE ]] || CACHE=$HOME/.m2/repository
cat > "$WORK/settings.xml" <<XML
<settings>
  <mirrors>
    <mirror><id>machine-cache</id><mirrorOf>*</mirrorOf><url>file://$CACHE</url></mirror>
  </mirrors>
</settings>
XML

echo "smoke: install into the throwaway repository $REPO"
mvn -B -q org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file -Dfile="$JAR" -DpomFile=pom.xml \
  -Dsources="target/rwkvx-$VERSION-sources.jar" -Djavadoc="target/rwkvx-$VERSION-javadoc.jar" \
  -DlocalRepositoryPath="$REPO"
INSTALLED=$REPO/io/rwkvx/rwkvx/$VERSION
for f in "rwkvx-$VERSION.jar" "rwkvx-$VERSION.pom" "rwkvx-$VERSION-sources.jar" "rwkvx-$VERSION-javadoc.jar"; do
  [[ -s $INSTALLED/$f ]] || fail "$INSTALLED/$f was not installed"
done

echo "smoke: build the consumer project against it"
cp -r tests/release/consumer "$WORK/consumer"
(cd "$WORK/consumer" && mvn -B -q -s "$WORK/settings.xml" -Dmaven.repo.local="$REPO" -Drwkvx.version="$VERSION" \
  compile dependency:build-classpath -Dmdep.outputFile=classpath.txt) || fail "the consumer project does not build"
CP=$(cat "$WORK/consumer/classpath.txt")
[[ $CP == "$INSTALLED/rwkvx-$VERSION.jar" ]] \
  || fail "the consumer's class path should be the installed jar alone (optional dependencies stay out), got: $CP"

echo "smoke: run it"
PROMPT="Hello"
on_classpath=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$WORK/consumer/target/classes:$CP" smoke.Main "$PROMPT") \
  || fail "the consumer failed on the class path"
on_modulepath=$("$JAVA" --enable-native-access=io.rwkvx -p "$WORK/consumer/target/classes:$CP" \
  -m rwkvx.consumer/smoke.Main "$PROMPT") || fail "the consumer failed on the module path"
echo "smoke:   class path:  $on_classpath"
echo "smoke:   module path: $on_modulepath"
[[ $on_classpath == "$on_modulepath" ]] || fail "class path and module path runs differ"
[[ $on_classpath == "$VERSION (native $VERSION) tokens=16 stop=MAX_TOKENS text="* ]] \
  || fail "unexpected consumer output: $on_classpath"
cli_hex=$("$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" generate --prompt "$PROMPT" --max-tokens 16 \
  --temperature 0 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
[[ ${on_classpath#*text=}0a == "$cli_hex" ]] \
  || fail "the consumer's text (${on_classpath#*text=}) differs from rwkvx generate's ($cli_hex)"
echo "smoke: the LangChain4j provider, in a project that declares langchain4j-core"
cp -r tests/release/consumer-langchain4j "$WORK/consumer-langchain4j"
(cd "$WORK/consumer-langchain4j" && mvn -B -q -s "$WORK/settings.xml" -Dmaven.repo.local="$REPO" \
  -Drwkvx.version="$VERSION" compile dependency:build-classpath -Dmdep.outputFile=classpath.txt) \
  || fail "the LangChain4j consumer project does not build"
CP=$(cat "$WORK/consumer-langchain4j/classpath.txt")
chat_classpath=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$WORK/consumer-langchain4j/target/classes:$CP" \
  smoke.ChatMain "$PROMPT") || fail "the LangChain4j consumer failed on the class path"
# langchain4j-core is an automatic module: the libraries it uses are resolved only when asked for.
chat_modulepath=$("$JAVA" --enable-native-access=io.rwkvx -p "$WORK/consumer-langchain4j/target/classes:$CP" \
  --add-modules ALL-MODULE-PATH -m rwkvx.langchain4j.consumer/smoke.ChatMain "$PROMPT") \
  || fail "the LangChain4j consumer failed on the module path"
echo "smoke:   class path:  $chat_classpath"
echo "smoke:   module path: $chat_modulepath"
[[ $chat_classpath == "$chat_modulepath" ]] || fail "class path and module path chats differ"
[[ $chat_classpath == "finish=LENGTH output_tokens=8 text="* ]] || fail "unexpected chat output: $chat_classpath"
echo "smoke: passed"
