#include "record/segment_repair.hpp"

#include <array>
#include <fstream>

namespace wscam::record {
namespace {

std::uint64_t big_endian(std::span<const std::uint8_t> b) {
    std::uint64_t v = 0;
    for (const auto byte : b) v = (v << 8) | byte;
    return v;
}

bool is(std::span<const std::uint8_t, 4> type, const char (&name)[5]) {
    return type[0] == static_cast<std::uint8_t>(name[0]) && type[1] == static_cast<std::uint8_t>(name[1]) &&
           type[2] == static_cast<std::uint8_t>(name[2]) && type[3] == static_cast<std::uint8_t>(name[3]);
}

}  // namespace

segment_shape inspect_segment(const byte_reader& read, std::uint64_t size) {
    segment_shape shape;
    bool has_ftyp = false, has_moov = false, after_moof = false;
    std::uint64_t at = 0;
    while (at + 8 <= size) {
        std::array<std::uint8_t, 16> header{};
        if (!read(at, std::span(header).first(8))) break;
        std::uint64_t box = big_endian(std::span(header).first(4));
        std::uint64_t header_size = 8;
        if (box == 1) {  // a 64-bit size follows the type
            if (at + 16 > size || !read(at + 8, std::span(header).subspan(8, 8))) break;
            box = big_endian(std::span(header).subspan(8, 8));
            header_size = 16;
        }
        if (box < header_size || box > size - at) break;  // 0 ("to the end") is never ours either
        const std::span<const std::uint8_t, 4> type(header.data() + 4, 4);
        at += box;
        if (is(type, "ftyp")) {
            has_ftyp = true;
        } else if (is(type, "moov")) {
            has_moov = has_ftyp;
            if (has_moov) shape.playable = at;
        } else if (is(type, "moof")) {
            after_moof = true;
            continue;
        } else if (is(type, "mdat")) {
            if (has_moov && after_moof) shape.playable = at;
        } else if (is(type, "mfra")) {
            shape.finished = has_moov && at == size;
        }
        after_moof = false;
    }
    if (!has_moov) shape.playable = 0;
    return shape;
}

std::optional<std::string> repair_segment(const std::filesystem::path& file) {
    const auto size = std::filesystem::file_size(file);
    std::ifstream in(file, std::ios::binary);
    const byte_reader read = [&](std::uint64_t offset, std::span<std::uint8_t> out) {
        in.clear();
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
        return in.gcount() == static_cast<std::streamsize>(out.size());
    };
    // A finished segment ends with the 16-byte mfro box: no need to walk the whole file.
    std::array<std::uint8_t, 16> tail{};
    if (size >= 16 && read(size - 16, tail) && big_endian(std::span(tail).first(4)) == 16 &&
        is(std::span<const std::uint8_t, 4>(tail.data() + 4, 4), "mfro"))
        return std::nullopt;
    const auto shape = inspect_segment(read, size);
    in.close();
    if (shape.finished || (shape.playable == size && size > 0)) return std::nullopt;  // nothing to cut
    if (shape.playable == 0) {
        std::filesystem::remove(file);
        return "deleted: nothing in it plays";
    }
    std::filesystem::resize_file(file, shape.playable);
    return "cut back to its last whole fragment: kept " + std::to_string(shape.playable) + " of " +
           std::to_string(size) + " bytes";
}

}  // namespace wscam::record
