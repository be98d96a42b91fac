# Run by the build (target sco_git_commit), not by configure: writes the commit the sources
# are at into OUT, replacing the file only when the text changes, so that a new commit (or
# a tree that became dirty or clean) is recorded by the next build without a reconfigure,
# and an unchanged one recompiles nothing.
#   cmake -DSRC=<source dir> -DOUT=<header> -P git_commit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
elseif(dirty)
  set(commit "${commit}-dirty")
endif()
set(text "#pragma once\n// Generated at build time by cmake/git_commit.cmake; do not edit.\nnamespace sco {\ninline constexpr const char* kGitCommit = \"${commit}\";\n}  // namespace sco\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
