# sources/kinesis against kinesalite from the local AWS bed (included from tests/CMakeLists.txt).
# Each test starts its own bed (tests/awsbed/bed.sh run) and stops it, niced: the machine is shared.
if(TARGET eventlake_kinesis)
  add_executable(kinesis_read_tool ${CMAKE_CURRENT_LIST_DIR}/kinesis_read_tool.cc)
  target_link_libraries(kinesis_read_tool PRIVATE eventlake_kinesis)
  add_test(NAME kinesis_read
    COMMAND nice -n 19 bash ${PROJECT_SOURCE_DIR}/tests/awsbed/bed.sh run ${CMAKE_CURRENT_BINARY_DIR}/kinesis_read_bed
            -- ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/kinesis_read_test.py)
  # The throughput measurement (records/s over 4 shards against kinesalite's own GetRecords
  # ceiling) is a benchmark, not a test: see src/sources/kinesis/README.md for the command.
  set_tests_properties(kinesis_read PROPERTIES
    ENVIRONMENT "KINESIS_READ_TOOL=$<TARGET_FILE:kinesis_read_tool>" TIMEOUT 600 LABELS "awsbed")
endif()
