#include "core/frame_size.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <utility>

namespace wscam {
namespace {

struct named_size {
    std::string_view name;
    frame_size size;
};

constexpr std::array<named_size, 11> named_sizes{{
    {"QQVGA", {160, 120}}, {"QVGA", {320, 240}}, {"CIF", {400, 296}},  {"HVGA", {480, 320}},
    {"VGA", {640, 480}},   {"SVGA", {800, 600}}, {"XGA", {1024, 768}}, {"HD", {1280, 720}},
    {"SXGA", {1280, 1024}}, {"UXGA", {1600, 1200}}, {"FHD", {1920, 1080}},
}};

constexpr int min_side = 16;
constexpr int max_side = 8192;

bool set_error(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

}  // namespace

std::optional<frame_size> parse_frame_size(std::string_view text, std::string* error) {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const auto& n : named_sizes)
        if (upper == n.name) return n.size;

    const auto x = upper.find('X');
    const std::string_view s(upper);
    int w = 0, h = 0;
    if (x == std::string::npos || x == 0 || x + 1 == s.size()) {
        set_error(error, "size '" + std::string(text) + "' is not WIDTHxHEIGHT or a name like VGA, HD, FHD");
        return std::nullopt;
    }
    auto [pw, ew] = std::from_chars(s.data(), s.data() + x, w);
    auto [ph, eh] = std::from_chars(s.data() + x + 1, s.data() + s.size(), h);
    if (ew != std::errc{} || eh != std::errc{} || pw != s.data() + x || ph != s.data() + s.size()) {
        set_error(error, "size '" + std::string(text) + "' is not WIDTHxHEIGHT or a name like VGA, HD, FHD");
        return std::nullopt;
    }
    if (w < min_side || h < min_side || w > max_side || h > max_side) {
        set_error(error, "size '" + std::string(text) + "' is out of range (16x16 to 8192x8192)");
        return std::nullopt;
    }
    return frame_size{static_cast<std::uint16_t>(w), static_cast<std::uint16_t>(h)};
}

std::string to_string(const frame_size& s) {
    return std::to_string(s.width) + "x" + std::to_string(s.height);
}

frame_size frame_size_param(std::string_view text, std::string_view scheme) {
    std::string error;
    const auto s = parse_frame_size(text, &error);
    if (!s) throw std::invalid_argument(std::string(scheme) + ": " + error);
    return *s;
}

}  // namespace wscam
