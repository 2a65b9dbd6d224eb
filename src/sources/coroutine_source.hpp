#pragma once

#include <memory>
#include <string>

#include "core/source.hpp"

namespace wscam {

/**
 * The shell of every source whose work is one coroutine on a source_loop (test card, file,
 * pipe, exec, http/ws pull): start() spawns it, stop() ends it from any thread and returns once
 * it has ended, and in between nothing ends the stream for good (a fault takes the stream
 * offline with the reason, and the source starts over after a backoff). What each kind does
 * is its body (sources/coroutine_body.hpp), which the coroutine shares: when the server's
 * context stops before the source does, the body goes with the coroutine, not before it.
 */
class coroutine_source : public source {
public:
    class body;

    ~coroutine_source() override;
    void start() final;
    void stop() final;
    std::string describe() const final;

protected:
    explicit coroutine_source(std::shared_ptr<body> b);

private:
    std::shared_ptr<body> body_;
    bool started_ = false;
};

}  // namespace wscam
