# The installed-package test: installs the build tree's Clearance component into a fresh
# prefix outside the source tree, builds tests/embed/consumer against it with find_package and
# with pkg-config, and runs both consumers.
#   cmake -DBUILD_DIR=<build> -DCONSUMER_DIR=<tests/embed/consumer> -DC_COMPILER=<cc>
#         [-DEXTRA_FLAGS=<sanitizer flags for the consumer>]
#         -P package_test.cmake
execute_process(COMMAND mktemp -d /tmp/clearance-package-XXXXXX OUTPUT_VARIABLE work
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "package test in ${work}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --component Clearance --prefix ${work}/prefix)
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${work}/build -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${work}/prefix "-DCMAKE_C_FLAGS=${EXTRA_FLAGS}"
    "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}")
run(${CMAKE_COMMAND} --build ${work}/build -j2)
run(${work}/build/consumer_cpp ${work}/db-cpp)
run(${work}/build/consumer_c ${work}/db-c)

# pkg-config: the C consumer compiled by hand against the installed clearance.pc.
file(GLOB_RECURSE pc_files ${work}/prefix/clearance.pc)
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
execute_process(COMMAND pkg-config --cflags --libs clearance OUTPUT_VARIABLE flags
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND pkg-config --variable=libdir clearance OUTPUT_VARIABLE libdir
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(extra UNIX_COMMAND "${EXTRA_FLAGS}")
run(${C_COMPILER} ${extra} ${CONSUMER_DIR}/consumer.c ${flags} -Wl,-rpath,${libdir}
    -o ${work}/consumer_pkgconfig)
run(${work}/consumer_pkgconfig ${work}/db-pkgconfig)

file(REMOVE_RECURSE ${work})
