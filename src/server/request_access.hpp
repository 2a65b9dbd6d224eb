#pragma once

#include <string>
#include <string_view>

#include "core/publish_gate.hpp"
#include "server/router.hpp"
#include "server/server.hpp"

namespace wscam {

/**
 * Which token a request must bring for each kind of route, and the verdict on the one it
 * brought: ONE table (request_access.cpp) says what each route needs, and every refusal, the
 * Host check against DNS rebinding and the wrong-token brake follow from it, for WebSocket
 * upgrades, MJPEG and plain GETs alike. Pure (no sockets): unit-tested, and the connection
 * front's fuzz target runs it.
 *
 * Invariant: a route that needs a token is one that serves camera data or reaches controls,
 * and only such a route compares a token, or counts a wrong one.
 */
enum class token_need {
    nothing,  // pages, the viewer's files, /healthz, what is not found
    view,     // the stream's view token (or its control token): watching, the list, the metrics
    publish,  // a push stream's publish token (its gate's)
    control,  // the stream's control token, which must be configured: state changes over HTTP (deleting recordings)
};

/** What `kind` asks a request to bring (the table). */
token_need token_needed_for(route_kind kind);

/** Whether `kind` serves camera data or reaches controls: what a DNS-rebinding page and a token guesser are after. */
bool guards_camera(route_kind kind);

/**
 * The token a request brings: `Authorization: Bearer`, else `?token=`, else the `wscam_token`
 * cookie (browsers cannot set headers on a WebSocket); empty for none.
 */
std::string request_token(std::string_view authorization, std::string_view target, std::string_view cookie);

/**
 * Whether a token guards this route of `stream` now (the view token, or a push stream's
 * publish token): then any Host may ask, since a rebinding page cannot know the token.
 * Compares nothing, so it is cheap before the wrong-token brake.
 * `gate` is the stream's publish gate (null: none), read for publish routes only.
 */
bool token_guards(route_kind kind, const std::string& stream, const stream_access_table& access,
                  const publish_gate* gate);

/** What the token opens on one route. */
struct access_verdict {
    bool allowed = true;     // the route may be served (or handed to its session)
    bool control = false;    // a viewer's WebSocket (only): the viewer may also change the stream's controls
    bool guess = false;      // a token came and opened nothing it could here: the wrong-token brake counts it
    std::string_view refusal;  // why not allowed, for the 401 and its log line
};

/**
 * The verdict for a request for `kind` of `stream` bringing `token` (empty: none). A route
 * needing the view token also opens to the control token. A token that opens nothing is a
 * guess where one could open something: when refused; on a viewer's WebSocket when the stream
 * has a control token; on the stream list when any control token is configured, unless the
 * list shows that token a source (shows_source: the list's route knows which it showed).
 * Compares the token (a relayed stream's verifier costs ~3 ms the first time): only after
 * the wrong-token brake. `gate` as for token_guards; a push stream without one takes nobody.
 */
access_verdict decide_access(route_kind kind, const std::string& stream, std::string_view token,
                             const stream_access_table& access, const publish_gate* gate);

/**
 * How many distinct verifiers (relayed streams' owner tokens, ~3 ms each) one request may
 * compare its token with. The stream list compares it with every stream's control check: with a
 * thousand relayed streams of distinct owner tokens (or a peer announcing them) each request
 * with a new token held an I/O thread for seconds (a review measured 2.7-7.8 s a request).
 */
class verifier_budget {
public:
    static constexpr std::size_t max_verifiers = 8;
    /** Whether `check` may be compared: free, one already tried, or a new one within the budget. */
    bool allow(const token_check& check);

private:
    std::vector<const void*> tried_;
};

/**
 * Whether the stream list shows `stream`'s source (a command line, a camera's address) to the
 * holder of `token`: only to that stream's control token, when it has one. A relayed stream's
 * check beyond the request's `budget` is not made: its source is not shown.
 */
bool shows_source(const stream_access_table& access, const std::string& stream, std::string_view token,
                  verifier_budget& budget);

}  // namespace wscam
