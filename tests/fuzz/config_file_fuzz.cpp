// libFuzzer target: a config file (wscam --config, read again on every SIGHUP). Whatever the
// bytes, parse_config returns a document or throws config_file_error with FILE:LINE:...
// (never another exception, never a crash), and what it returns holds what it promises:
// valid, unique stream names, each with a source.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "app/config_file.hpp"
#include "core/stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto doc = wscam::parse_config(text, "fuzz.toml");
        std::set<std::string> names;
        for (const auto& s : doc.streams) {
            if (!wscam::stream_registry::valid_name(s.name) || s.source.empty()) __builtin_trap();
            if (!names.insert(s.name).second) __builtin_trap();
            if (s.where.rfind("fuzz.toml:", 0) != 0) __builtin_trap();
        }
        for (const auto& setting : doc.settings)
            if (setting.option.empty() || setting.where.rfind("fuzz.toml:", 0) != 0) __builtin_trap();
    } catch (const wscam::config_file_error& e) {
        if (std::string_view(e.what()).rfind("fuzz.toml:", 0) != 0) __builtin_trap();
    }
    return 0;
}
