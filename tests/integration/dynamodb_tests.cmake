# dedup/dynamodb against dynalite from the local AWS bed (included from tests/CMakeLists.txt).
# The test starts its own bed (tests/awsbed/bed.sh run), niced: the machine is shared.
if(TARGET eventlake_dynamodb)
  add_executable(dynamodb_bed_test ${CMAKE_CURRENT_LIST_DIR}/dynamodb_bed_test.cc)
  target_compile_definitions(dynamodb_bed_test PRIVATE AWSBED_DIR="${PROJECT_SOURCE_DIR}/tests/awsbed")
  target_link_libraries(dynamodb_bed_test PRIVATE eventlake_dynamodb GTest::gmock GTest::gtest_main)
  add_test(NAME dynamodb_bed
    COMMAND nice -n 19 bash ${PROJECT_SOURCE_DIR}/tests/awsbed/bed.sh run ${CMAKE_CURRENT_BINARY_DIR}/dynamodb_bed
            -- $<TARGET_FILE:dynamodb_bed_test>)
  set_tests_properties(dynamodb_bed PROPERTIES TIMEOUT 300 LABELS "awsbed")
endif()
