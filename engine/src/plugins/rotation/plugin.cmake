# Included by engine/CMakeLists.txt: the rotation rule matches log lines with
# RE2 (libre2-dev). GLOBAL: the engine is a static library, so the targets
# that link it (tests, tools) in other directories must see RE2 too.
if(NOT TARGET PkgConfig::RE2)
  pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET GLOBAL re2)
endif()
target_link_libraries(logweave_engine PRIVATE PkgConfig::RE2)
