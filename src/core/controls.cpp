#include "core/controls.hpp"

#include <cmath>

namespace wscam {

std::optional<double> validate_control_value(const control_info& c, double value, std::string& error) {
    if (!std::isfinite(value)) {
        error = c.id + ": value must be a finite number";
        return std::nullopt;
    }
    if (c.type == "bool") return value != 0 ? 1.0 : 0.0;
    if (c.type == "menu") {
        for (const auto& o : c.options)
            if (o.value == value) return value;
        error = c.id + ": " + std::to_string(static_cast<long long>(value)) + " is not one of its options";
        return std::nullopt;
    }
    if (value < c.min || value > c.max) {
        error = c.id + ": " + std::to_string(value) + " is outside " + std::to_string(c.min) + ".." + std::to_string(c.max);
        return std::nullopt;
    }
    if (c.step > 0) value = c.min + std::round((value - c.min) / c.step) * c.step;
    return value;
}

const control_info* find_control(const std::vector<control_info>& list, const std::string& id) {
    for (const auto& c : list)
        if (c.id == id) return &c;
    return nullptr;
}

}  // namespace wscam
