#include "cluster/control_relay.hpp"

#include <spdlog/spdlog.h>

#include "protocol/viewer_message.hpp"
#include "protocol/publisher_message.hpp"
#include "protocol/publisher_protocol.hpp"

namespace wscam::cluster {
namespace {

std::string text_of(const incoming& in) { return {reinterpret_cast<const char*>(in.data.data()), in.data.size()}; }

}  // namespace

std::optional<control_relay::request> control_relay::admit_request(const incoming& in) {
    if (in.reply.empty() || in.node != node_ || in.epoch != epoch_) return std::nullopt;  // for another node or run
    auto stream = names_.stream_of(in.subject, "control");
    if (!stream) return std::nullopt;
    if (in.data.size() > max_bytes) {
        refused("control request", *stream, "larger than " + std::to_string(max_bytes) + " bytes");
        return std::nullopt;
    }
    return request{std::move(*stream), std::string(in.reply), text_of(in)};
}

std::optional<control_relay::owner_message> control_relay::admit_owner_message(const incoming& in, bool reply) {
    std::optional<std::string> stream;
    if (!reply)
        stream = names_.stream_of(in.subject, "controls");
    else if (in.subject.starts_with(reply_prefix_))
        stream = unescape_token(in.subject.substr(reply_prefix_.size()));
    // Only the chosen owner's run speaks for the stream: checked before anything is copied.
    if (!stream || !from_owner(*stream, in.node, in.epoch)) return std::nullopt;
    if (in.data.size() > max_bytes) {
        refused("controls message from node " + std::string(in.node), *stream,
                "larger than " + std::to_string(max_bytes) + " bytes");
        return std::nullopt;
    }
    return owner_message{std::move(*stream), std::string(in.node), std::string(in.epoch), text_of(in)};
}

bool control_relay::from_owner(const std::string& stream, std::string_view node, std::string_view epoch) {
    std::lock_guard lock(owners_mutex_);
    const auto it = owners_.find(stream);
    return it != owners_.end() && node == it->second.first && epoch == it->second.second;
}

void control_relay::set_owner(const std::string& stream,
                              const std::optional<std::pair<std::string, std::uint64_t>>& owner) {
    std::lock_guard lock(owners_mutex_);
    if (owner)
        owners_[stream] = {owner->first, std::to_string(owner->second)};
    else
        owners_.erase(stream);
}

void control_relay::answer(const request& r, stream* local, std::function<void(mailbox::outgoing)> send) {
    const auto message = parse_client_message(r.text);
    const auto* change = std::get_if<control_message>(&message);
    if (!change) return refused("control request", r.stream, "not a control message");
    auto reply = [send = std::move(send), stream = r.stream, to = r.reply, id = change->id](const control_result& result) {
        send({to, result.ok ? make_control_changed_message(stream, id, result.value)
                            : make_publisher_error_message(id, result.error)});
    };
    if (!local) return reply(control_result::failed("stream '" + r.stream + "' is not served by node " + node_));
    local->set_control(change->id, change->value, std::move(reply));
}

void control_relay::pass_on(const owner_message& m, const std::optional<std::pair<std::string, std::uint64_t>>& owner,
                            publisher_protocol* controls) {
    // Only the chosen owner's run speaks for the stream (it may have changed since admit).
    if (!controls || !owner || m.node != owner->first || m.epoch != std::to_string(owner->second)) return;
    auto message = parse_publisher_text(m.text);
    const auto why = std::holds_alternative<publisher_status_text>(message) ? std::string("not a controls message")
                                                                            : controls->on_message(std::move(message));
    if (!why.empty()) refused("controls message from node " + m.node, m.stream, why);
}

std::optional<mailbox::outgoing> control_relay::to_owner(
    const std::string& stream, std::string text, const std::optional<std::pair<std::string, std::uint64_t>>& owner) const {
    if (!owner) return std::nullopt;  // no owner now: the viewer hears that nobody answered
    return mailbox::outgoing{names_.control(stream), std::move(text), reply_prefix_ + escape_token(stream), owner->first,
                             std::to_string(owner->second)};
}

void control_relay::busy() {
    std::lock_guard lock(log_mutex_);
    std::uint64_t suppressed = 0;
    if (log_.allow(rate_limit::clock::now(), suppressed))
        spdlog::warn("cluster: too many control messages waiting ({} bytes at most): dropped one", mailbox::max_queued_bytes);
}

void control_relay::refused(const std::string& what, const std::string& stream, const std::string& why) {
    std::lock_guard lock(log_mutex_);
    std::uint64_t suppressed = 0;
    if (log_.allow(rate_limit::clock::now(), suppressed)) spdlog::warn("stream={} cluster: {} refused: {}", stream, what, why);
}

}  // namespace wscam::cluster
