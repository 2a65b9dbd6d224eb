#include "sources/esp32/camera_web_server.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace wscam::esp32 {
namespace {

struct size_entry {
    const char* name;
    int width, height;
};

// esp32-camera's framesize_t since 2.0.14 (driver/include/sensor.h).
constexpr size_entry current_sizes[] = {
    {"96x96", 96, 96},       {"QQVGA", 160, 120},    {"128x128", 128, 128}, {"QCIF", 176, 144},
    {"HQVGA", 240, 176},     {"240x240", 240, 240},  {"QVGA", 320, 240},    {"320x320", 320, 320},
    {"CIF", 400, 296},       {"HVGA", 480, 320},     {"VGA", 640, 480},     {"SVGA", 800, 600},
    {"XGA", 1024, 768},      {"HD", 1280, 720},      {"SXGA", 1280, 1024},  {"UXGA", 1600, 1200},
    {"FHD", 1920, 1080},     {"P_HD", 720, 1280},    {"P_3MP", 864, 1536},  {"QXGA", 2048, 1536},
    {"QHD", 2560, 1440},     {"WQXGA", 2560, 1600},  {"P_FHD", 1080, 1920}, {"QSXGA", 2560, 1920},
    {"5MP", 2592, 1944}};

// Before 2.0.14: the same list without 128x128 and 320x320.
constexpr size_entry old_sizes[] = {
    {"96x96", 96, 96},     {"QQVGA", 160, 120},   {"QCIF", 176, 144},    {"HQVGA", 240, 176},
    {"240x240", 240, 240}, {"QVGA", 320, 240},    {"CIF", 400, 296},     {"HVGA", 480, 320},
    {"VGA", 640, 480},     {"SVGA", 800, 600},    {"XGA", 1024, 768},    {"HD", 1280, 720},
    {"SXGA", 1280, 1024},  {"UXGA", 1600, 1200},  {"FHD", 1920, 1080},   {"P_HD", 720, 1280},
    {"P_3MP", 864, 1536},  {"QXGA", 2048, 1536},  {"QHD", 2560, 1440},   {"WQXGA", 2560, 1600},
    {"P_FHD", 1080, 1920}, {"QSXGA", 2560, 1920}};

template <std::size_t N>
const size_entry* entry(const size_entry (&table)[N], int value) {
    return value >= 0 && static_cast<std::size_t>(value) < N ? &table[value] : nullptr;
}

const size_entry* size_of(int value, framesize_numbering n) {
    return n == framesize_numbering::current ? entry(current_sizes, value) : entry(old_sizes, value);
}

// The largest magnitude read from /status (the largest real setting, aec_value, is 1200).
constexpr double max_status_value = 1'000'000;

struct known_control {
    const char* id;
    const char* name;
    const char* type;  // int, bool, menu
    int min, max;
    std::vector<const char*> labels = {};  // menus
};

// The controls of CameraWebServer's own page, in its order, with the ranges its /control accepts.
const std::vector<known_control>& known_controls() {
    static const std::vector<known_control> list = {
        {"framesize", "Resolution", "menu", 0, 0},
        {"quality", "Quality (lower is better)", "int", 4, 63},
        {"brightness", "Brightness", "int", -2, 2},
        {"contrast", "Contrast", "int", -2, 2},
        {"saturation", "Saturation", "int", -2, 2},
        {"special_effect", "Special effect", "menu", 0, 6,
         {"No effect", "Negative", "Grayscale", "Red tint", "Green tint", "Blue tint", "Sepia"}},
        {"awb", "Auto white balance", "bool", 0, 1},
        {"awb_gain", "AWB gain", "bool", 0, 1},
        {"wb_mode", "White balance", "menu", 0, 4, {"Auto", "Sunny", "Cloudy", "Office", "Home"}},
        {"aec", "Auto exposure (sensor)", "bool", 0, 1},
        {"aec2", "Auto exposure (DSP)", "bool", 0, 1},
        {"ae_level", "Exposure level", "int", -2, 2},
        {"aec_value", "Exposure", "int", 0, 1200},
        {"agc", "Auto gain", "bool", 0, 1},
        {"agc_gain", "Gain", "int", 0, 30},
        {"gainceiling", "Gain ceiling", "menu", 0, 6, {"2x", "4x", "8x", "16x", "32x", "64x", "128x"}},
        {"bpc", "Black pixel correction", "bool", 0, 1},
        {"wpc", "White pixel correction", "bool", 0, 1},
        {"raw_gma", "Raw gamma", "bool", 0, 1},
        {"lenc", "Lens correction", "bool", 0, 1},
        {"hmirror", "Horizontal mirror", "bool", 0, 1},
        {"vflip", "Vertical flip", "bool", 0, 1},
        {"dcw", "Downsize (DCW)", "bool", 0, 1},
        {"colorbar", "Colour bar", "bool", 0, 1},
        {"led_intensity", "LED intensity", "int", 0, 255},
    };
    return list;
}

}  // namespace

std::optional<std::pair<int, int>> framesize_dimensions(int value, framesize_numbering numbering) {
    const auto* e = size_of(value, numbering);
    if (!e) return std::nullopt;
    return std::pair{e->width, e->height};
}

std::optional<framesize_numbering> guess_numbering(int framesize, int width, int height) {
    const auto fits = [&](framesize_numbering n) {
        const auto* e = size_of(framesize, n);
        return e && e->width == width && e->height == height;
    };
    const bool current = fits(framesize_numbering::current), old = fits(framesize_numbering::before_2_0_14);
    if (current == old) return std::nullopt;
    return current ? framesize_numbering::current : framesize_numbering::before_2_0_14;
}

status_reading read_status(std::string_view body, framesize_numbering numbering) {
    status_reading r;
    const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
        r.why_not = "its /status is not a JSON object";
        return r;
    }
    for (const char* key : {"framesize", "quality", "brightness"})
        if (!j.contains(key) || !j[key].is_number()) {
            r.why_not = std::string("its /status has no numeric \"") + key + "\"";
            return r;
        }
    r.is_camera_web_server = true;
    for (const auto& k : known_controls()) {
        const auto it = j.find(k.id);
        if (it == j.end() || !it->is_number()) continue;  // older firmware lacks some keys
        const double value = it->get<double>();
        // A number no sensor setting comes near is no reading (as if the board had not
        // reported it): it would widen a range viewers may set, and 1e300 fits no integer.
        if (!std::isfinite(value) || std::abs(value) > max_status_value) continue;
        if (std::string_view(k.id) == "led_intensity" && value < 0) continue;  // -1: the board has no LED
        control_info c;
        c.id = k.id;
        c.name = k.name;
        c.type = k.type;
        c.min = k.min;
        c.max = k.max;
        c.value = value;
        if (c.type == "bool") c.value = value != 0 ? 1 : 0;
        if (c.id == "framesize") {
            // Label each number with the size it means on this board's firmware.
            const std::size_t n = numbering == framesize_numbering::current ? std::size(current_sizes) : std::size(old_sizes);
            for (std::size_t i = 0; i < n; ++i) {
                const auto* e = size_of(static_cast<int>(i), numbering);
                c.options.push_back({static_cast<double>(i), std::string(e->name) + " " + std::to_string(e->width) + "x" +
                                                                 std::to_string(e->height)});
            }
            c.min = 0;
            c.max = static_cast<double>(n - 1);
            if (!size_of(static_cast<int>(value), numbering))
                c.options.push_back({value, "size " + control_value_text(value)});
        } else if (c.type == "menu") {
            for (std::size_t i = 0; i < k.labels.size(); ++i) c.options.push_back({static_cast<double>(i), k.labels[i]});
        } else if (c.type == "int" && (value < c.min || value > c.max)) {
            // A board outside the range we know (another sensor): widen rather than refuse.
            c.min = std::min(c.min, value);
            c.max = std::max(c.max, value);
        }
        r.controls.push_back(std::move(c));
    }
    return r;
}

std::string api_target(std::string_view base_path, std::string_view page) {
    std::string path(base_path);
    if (path.empty() || path.back() != '/') path += '/';
    return path.append(page);
}

std::string control_target(std::string_view base_path, const std::string& id, double value) {
    return api_target(base_path, "control") + "?var=" + id + "&val=" + control_value_text(std::round(value));
}

}  // namespace wscam::esp32
