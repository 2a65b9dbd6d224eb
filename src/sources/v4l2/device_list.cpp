#include "sources/v4l2/device_list.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sources/v4l2/v4l2_device.hpp"
#include "sources/v4l2/v4l2_formats.hpp"

namespace wscam {

std::string list_v4l2_devices(bool json) {
    nlohmann::json all = nlohmann::json::array();
    std::ostringstream text;
    const auto paths = list_video_devices();
    if (paths.empty()) text << "no video devices under /dev\n";
    for (const auto& path : paths) {
        try {
            v4l2_device dev(path);
            const auto info = dev.describe();
            nlohmann::json d = {{"path", path}, {"card", info.card}, {"driver", info.driver}, {"bus", info.bus}};
            text << path << ": " << info.card << " (" << info.driver << ", " << info.bus << ")\n";
            for (const auto& f : info.formats) {
                nlohmann::json sizes = nlohmann::json::array();
                text << "  " << f.name << (supported_format(f.fourcc) ? "" : " (not supported by wscam)") << "  " << f.description << "\n";
                for (const auto& s : f.sizes) {
                    sizes.push_back({{"width", s.width}, {"height", s.height}, {"fps", s.fps}});
                    text << "    " << s.width << "x" << s.height << "  ";
                    for (std::size_t i = 0; i < s.fps.size(); ++i) text << (i ? ", " : "") << std::round(s.fps[i] * 100) / 100;
                    text << (s.fps.empty() ? "" : " fps") << "\n";
                }
                d["formats"].push_back({{"fourcc", f.name}, {"description", f.description}, {"supported", supported_format(f.fourcc)}, {"sizes", sizes}});
            }
            text << "  controls:\n";
            for (const auto& c : info.controls) {
                text << "    " << c.info.id << " (" << c.info.type;
                if (c.info.type == "int") text << " " << c.info.min << ".." << c.info.max;
                text << ") = " << c.info.value << "\n";
                d["controls"].push_back({{"id", c.info.id}, {"name", c.info.name}, {"type", c.info.type}, {"min", c.info.min},
                                         {"max", c.info.max}, {"value", c.info.value}});
            }
            all.push_back(std::move(d));
        } catch (const v4l2_error& e) {
            text << path << ": " << e.what() << "\n";
        }
    }
    // Drivers name things in whatever encoding they like; JSON must be UTF-8.
    return json ? all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n" : text.str();
}

}  // namespace wscam
