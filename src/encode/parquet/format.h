#pragma once
// The parts of the Parquet file format (apache/parquet-format, parquet.thrift) that
// eventlake writes and reads: enum values and the metadata structs, field ids in comments.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventlake::parquet {

inline constexpr std::string_view kMagic = "PAR1";
inline constexpr std::string_view kCreatedBy = "eventlake version 0.1.0";

enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7
};
enum class ConvertedType : int32_t { kUtf8 = 0, kTimestampMicros = 10, kJson = 19 };
enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };
enum class Encoding : int32_t { kPlain = 0, kPlainDictionary = 2, kRle = 3, kBitPacked = 4, kRleDictionary = 8 };
enum class Codec : int32_t { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };
enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

// LogicalType union: only the members eventlake uses are named.
struct LogicalType {
  enum class Kind : int16_t { kNone = 0, kString = 1, kTimestamp = 8, kJson = 12, kUnknown = 11, kOther = -1 };
  Kind kind = Kind::kNone;
  bool utc = false;  // TIMESTAMP.isAdjustedToUTC
  int unit = 0;      // TIMESTAMP.unit: TimeUnit field id, 1 MILLIS, 2 MICROS, 3 NANOS
};

struct SchemaElement {
  std::optional<Type> type;               // 1
  std::optional<Repetition> repetition;   // 3
  std::string name;                       // 4
  std::optional<int32_t> num_children;    // 5
  std::optional<int32_t> converted_type;  // 6
  LogicalType logical;                    // 10
};

struct Statistics {
  std::optional<std::string> max_value;  // 5
  std::optional<std::string> min_value;  // 6
  std::optional<int64_t> null_count;     // 3
  std::optional<int64_t> nan_count;      // 9
};

struct PageEncodingStats {
  PageType page_type;  // 1
  Encoding encoding;   // 2
  int32_t count;       // 3
};

struct ColumnMetaData {
  Type type = Type::kByteArray;                   // 1
  std::vector<int32_t> encodings;                 // 2
  std::vector<std::string> path_in_schema;        // 3
  Codec codec = Codec::kUncompressed;             // 4
  int64_t num_values = 0;                         // 5
  int64_t total_uncompressed_size = 0;            // 6
  int64_t total_compressed_size = 0;              // 7
  int64_t data_page_offset = 0;                   // 9
  std::optional<int64_t> dictionary_page_offset;  // 11
  Statistics statistics;                          // 12
  std::vector<PageEncodingStats> encoding_stats;  // 13
};

struct RowGroup {
  std::vector<ColumnMetaData> columns;  // 1: list<ColumnChunk>; ColumnChunk.meta_data is field 3
  int64_t total_byte_size = 0;          // 2
  int64_t num_rows = 0;                 // 3
  int64_t file_offset = 0;              // 5
  int64_t total_compressed_size = 0;    // 6
  std::optional<int16_t> ordinal;       // 7
};

struct FileMetaData {
  int32_t version = 1;                // 1
  std::vector<SchemaElement> schema;  // 2 (root first)
  int64_t num_rows = 0;               // 3
  std::vector<RowGroup> row_groups;   // 4
  std::string created_by;             // 6
  int32_t column_orders = 0;          // 7: how many TypeDefinedOrder entries
};

struct DataPageHeader {
  int32_t num_values = 0;                               // 1
  Encoding encoding = Encoding::kPlain;                 // 2
  Encoding definition_level_encoding = Encoding::kRle;  // 3
  Encoding repetition_level_encoding = Encoding::kRle;  // 4
};

struct DictionaryPageHeader {
  int32_t num_values = 0;                // 1
  Encoding encoding = Encoding::kPlain;  // 2
};

struct PageHeader {
  PageType type = PageType::kDataPage;                  // 1
  int32_t uncompressed_page_size = 0;                   // 2
  int32_t compressed_page_size = 0;                     // 3
  std::optional<int32_t> crc;                           // 4
  std::optional<DataPageHeader> data_page;              // 5
  std::optional<DictionaryPageHeader> dictionary_page;  // 7
  bool has_other_header = false;                        // 6 or 8 (index page, data page v2): not supported
};

}  // namespace eventlake::parquet
