#include "server/publisher_protocol.hpp"

namespace wscam {

void on_publisher_text(frame_hub& hub, std::string_view text) {
    auto status = hub.status();
    status.message.assign(text);  // the hub sanitises and bounds it
    hub.set_status(status);
}

}  // namespace wscam
