#pragma once

#include <functional>
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

/** How a control change ended: the value now in effect, or why it was not applied. */
struct control_result {
    bool ok = false;
    double value = 0;      // in effect (the device may round or clamp)
    bool changed = false;  // false when the control already had this value (nothing was sent anywhere)
    std::string error;     // for the viewer who asked, when !ok

    static control_result applied(double v, bool changed = true) { return {true, v, changed, {}}; }
    static control_result failed(std::string why) { return {false, 0, false, std::move(why)}; }
};

/** Called once with the outcome of a change, on whatever thread finished it. */
using control_callback = std::function<void(const control_result&)>;

/**
 * A source whose settings can be changed while it runs. Both calls come from I/O threads:
 * controls() must return at once (a cached list), and set_control() must not block: a
 * change that takes time (a device ioctl, a request to the camera) runs elsewhere and
 * calls `done` when it is finished.
 */
class controllable {
public:
    virtual ~controllable() = default;
    virtual std::vector<control_info> controls() const = 0;
    /** Applies an already validated value (see stream::set_control) and calls `done` once. */
    virtual void set_control(const std::string& id, double value, control_callback done) = 0;
};

/**
 * A control's value in a message or a request: a whole number as an integer ("-2"), anything
 * else as printf's %g ("0.25", "1e+300"). Values come from outside (a viewer, a publisher, a
 * board's /status): casting 1e300 to an integer is undefined behaviour, so nothing is cast
 * that does not fit.
 */
std::string control_value_text(double value);

/** Finds a control by id in a list, or null. */
const control_info* find_control(const std::vector<control_info>& list, const std::string& id);

/** Checks `value` against `c` and snaps it to the control's step; nullopt and `error` if it does not fit. */
std::optional<double> validate_control_value(const control_info& c, double value, std::string& error);

}  // namespace wscam
