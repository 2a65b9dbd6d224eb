#pragma once

#include <optional>
#include <string>
#include <vector>

namespace wscam {

/** One adjustable setting of a stream (brightness, quality, white balance, ...), as viewers see it. */
struct control_info {
    struct menu_item {
        double value;
        std::string label;
    };
    std::string id;    // stable key: "brightness"
    std::string name;  // for people: "Brightness"
    std::string type;  // "int", "bool" or "menu"
    double min = 0, max = 0, step = 1;
    double value = 0;
    std::vector<menu_item> options;  // for "menu"
};

/**
 * A source whose settings can be changed while it runs. Called from I/O threads:
 * implementations synchronise themselves and never block for long.
 */
class controllable {
public:
    virtual ~controllable() = default;
    virtual std::vector<control_info> controls() const = 0;
    /** Applies a value; returns the value in effect (clamped/rounded), or an error message. */
    virtual std::optional<double> set_control(const std::string& id, double value, std::string& error) = 0;
};

/** Checks `value` against `c` and snaps it to the control's step; nullopt and `error` if it does not fit. */
std::optional<double> validate_control_value(const control_info& c, double value, std::string& error);

}  // namespace wscam
