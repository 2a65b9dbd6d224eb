#include "core/controls.hpp"

#include <cmath>
#include <cstdio>

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
        error = c.id + ": " + control_value_text(value) + " is not one of its options";
        return std::nullopt;
    }
    if (value < c.min || value > c.max) {
        error = c.id + ": " + std::to_string(value) + " is outside " + std::to_string(c.min) + ".." + std::to_string(c.max);
        return std::nullopt;
    }
    if (c.step > 0) value = c.min + std::round((value - c.min) / c.step) * c.step;
    return value;
}

std::string control_value_text(double value) {
    if (std::isfinite(value) && value == std::trunc(value) && std::abs(value) < 1e15)
        return std::to_string(static_cast<long long>(value));
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

const control_info* find_control(const std::vector<control_info>& list, const std::string& id) {
    for (const auto& c : list)
        if (c.id == id) return &c;
    return nullptr;
}

}  // namespace wscam
