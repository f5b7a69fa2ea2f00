# Included by engine/CMakeLists.txt: the cost rule reads AWS CUR CSV with
# libcsv (libcsv-dev; RFC 4180: quoted fields, commas and line breaks inside).
find_path(CSV_INCLUDE_DIR csv.h REQUIRED)
find_library(CSV_LIBRARY csv REQUIRED)
target_include_directories(logweave_engine PRIVATE ${CSV_INCLUDE_DIR})
target_link_libraries(logweave_engine PRIVATE ${CSV_LIBRARY})
