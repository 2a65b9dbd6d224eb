#include "events/motion_event.hpp"

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "record/time_text.hpp"

namespace wscam::events {

nlohmann::json to_json(const motion_event& e) {
    nlohmann::json j{{"stream", e.stream},
                     {"id", e.id},
                     {"kind", "motion"},
                     {"start", record::iso_time(e.start_us)},
                     {"start_us", e.start_us},
                     {"end", nullptr},
                     {"end_us", nullptr},
                     {"peak_us", e.peak_us},
                     {"score", std::round(e.score * 10000) / 10000},
                     {"box", {{"x", std::round(e.box.x * 10000) / 10000}, {"y", std::round(e.box.y * 10000) / 10000},
                              {"w", std::round(e.box.w * 10000) / 10000}, {"h", std::round(e.box.h * 10000) / 10000}}},
                     {"width", e.width},
                     {"height", e.height},
                     {"snapshot", "/api/events/" + e.stream + "/" + std::to_string(e.id) + ".jpg"}};
    if (!e.ongoing()) {
        j["end"] = record::iso_time(e.end_us);
        j["end_us"] = e.end_us;
    }
    return j;
}

}  // namespace wscam::events
