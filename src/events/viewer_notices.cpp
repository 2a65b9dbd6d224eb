#include "events/viewer_notices.hpp"

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace wscam::events {

std::string event_message(const notice& n) {
    return to_json_text({{"type", "event"},
                         {"stream", n.event.stream},
                         {"state", n.change == change::started ? "start" : "end"},
                         {"event", to_json(n.event)}});
}

void viewer_notices::deliver(const notice& n) {
    auto s = registry_->find(n.event.stream);
    if (!s) return;
    s->tell_viewers(std::make_shared<const std::string>(event_message(n)), n.change == change::started);
}

}  // namespace wscam::events
