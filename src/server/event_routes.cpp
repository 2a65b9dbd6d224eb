#include "server/event_routes.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "core/json_text.hpp"
#include "record/time_text.hpp"
#include "server/http_reply.hpp"
#include "server/recording_reply.hpp"
#include "server/router.hpp"

namespace wscam {
namespace {

constexpr std::size_t default_limit = 100;
constexpr std::size_t max_limit = 1000;

http::message_generator no_store(const recording_request& r) {
    return text(r, http::status::not_found, "this server keeps no motion events (no stream has motion = true)\n");
}

/** An answer that failed on the pool: the store's reason is for the log, the client gets 500. */
http::message_generator store_failed(const recording_request& r, const std::exception& e) {
    return text(r, http::status::internal_server_error, std::string("the events store cannot be read: ") + e.what() + "\n");
}

}  // namespace

std::optional<http::message_generator> events_list(const recording_request& r, std::shared_ptr<events::event_store> store,
                                                   const answer_later& later) {
    const auto t = time_range(r.req->target(), false);
    if (!t.error.empty()) return text(r, http::status::bad_request, t.error);
    std::size_t limit = default_limit;
    if (const auto l = query_value(r.req->target(), "limit"); l && !l->empty()) {
        const auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
        if (ec != std::errc() || end != l->data() + l->size() || limit < 1 || limit > max_limit)
            return text(r, http::status::bad_request, "limit: give a number of events from 1 to 1000\n");
    }
    if (!store) {
        // No events are kept here: none to list (the viewer's timeline asks of every stream; a 404
        // would be an error in every page's console).
        const nlohmann::json body{{"stream", r.stream}, {"from", record::iso_time(t.from)}, {"to", record::iso_time(t.to)},
                                  {"events", nlohmann::json::array()}, {"more", false}, {"kept", false}};
        return text(r, http::status::ok, to_json_text(body, 1) + "\n", "application/json");
    }
    return run_later(r, later, [r, store, t, limit]() -> http::message_generator {
        try {
            auto found = store->list(r.stream, t.from, t.to, limit + 1);
            const bool more = found.size() > limit;
            if (more) found.pop_back();
            nlohmann::json list = nlohmann::json::array();
            for (const auto& e : found) list.push_back(events::to_json(e));
            const nlohmann::json body{{"stream", r.stream},
                                      {"from", record::iso_time(t.from)},
                                      {"to", record::iso_time(t.to)},
                                      {"events", std::move(list)},
                                      {"more", more},
                                      {"kept", true}};
            return text(r, http::status::ok, to_json_text(body, 1) + "\n", "application/json");
        } catch (const std::exception& e) {
            return store_failed(r, e);
        }
    });
}

std::optional<http::message_generator> event_snapshot(const recording_request& r, std::shared_ptr<events::event_store> store,
                                                      const std::string& id, const answer_later& later) {
    if (!store) return no_store(r);
    std::int64_t number = 0;
    std::from_chars(id.data(), id.data() + id.size(), number);  // the router let only digits through
    return run_later(r, later, [r, store, number, id]() -> http::message_generator {
        try {
            const auto event = store->find(r.stream, number);
            auto jpeg = event ? store->snapshot(r.stream, number) : std::nullopt;
            if (!jpeg) return text(r, http::status::not_found, "stream '" + r.stream + "' has no event " + id + " with a snapshot\n");
            auto res = bytes_answer(r, std::move(*jpeg), "image/jpeg");
            res.set("X-Capture-Time", record::iso_time(event->peak_us));
            r.log(http::status::ok);
            return res;
        } catch (const std::exception& e) {
            return store_failed(r, e);
        }
    });
}

}  // namespace wscam
