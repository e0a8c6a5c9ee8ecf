#pragma once
// Thrift compact serialization of the Parquet metadata in format.h: the footer
// (FileMetaData) and page headers, written and read back.
#include <string>
#include <string_view>

#include "core/status.h"
#include "encode/parquet/format.h"

namespace eventlake::parquet {

void WriteFileMetaData(const FileMetaData& meta, std::string& out);
void WritePageHeader(const PageHeader& header, std::string& out);

// Parses a footer. Unknown fields are skipped; missing required fields, wrong field
// types and truncation are errors.
Status ReadFileMetaData(std::string_view bytes, FileMetaData* out);
// Parses the page header at the start of `bytes`; `*header_size` gets its length.
Status ReadPageHeader(std::string_view bytes, PageHeader* out, size_t* header_size);

}  // namespace eventlake::parquet
