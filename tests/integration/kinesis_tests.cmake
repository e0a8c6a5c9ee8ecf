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
# Shard leases and checkpoints (sources/kinesis/lease_table) against dynalite: real conditional
# writes, two workers fighting over a lease, answers lost after the write was applied (fault proxy).
if(TARGET eventlake_kinesis)
  add_executable(lease_bed_test ${CMAKE_CURRENT_LIST_DIR}/lease_bed_test.cc)
  target_compile_definitions(lease_bed_test PRIVATE AWSBED_DIR="${PROJECT_SOURCE_DIR}/tests/awsbed")
  target_link_libraries(lease_bed_test PRIVATE eventlake_kinesis GTest::gmock GTest::gtest_main)
  add_test(NAME kinesis_lease_bed
    COMMAND nice -n 19 bash ${PROJECT_SOURCE_DIR}/tests/awsbed/bed.sh run ${CMAKE_CURRENT_BINARY_DIR}/lease_bed
            -- $<TARGET_FILE:lease_bed_test>)
  set_tests_properties(kinesis_lease_bed PROPERTIES TIMEOUT 300 LABELS "awsbed")
endif()
