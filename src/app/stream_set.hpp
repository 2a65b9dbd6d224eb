#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/stream_specs.hpp"
#include "core/stream.hpp"
#include "core/source.hpp"
#include "sources/io_contexts.hpp"

namespace wscam {

/** How a reload changes the running streams, by name. */
struct reload_plan {
    std::vector<std::string> added;      // new names: a stream and its source start
    std::vector<std::string> removed;    // gone from the configuration: viewers are closed, the source stops
    std::vector<std::string> restarted;  // same name, another source or other settings: only the source restarts
    std::vector<std::string> unchanged;  // viewers notice nothing
    bool changes() const { return !added.empty() || !removed.empty() || !restarted.empty(); }
};

/**
 * Compares the running streams with the wanted ones: a stream is the same when its source URI
 * and its settings (size, fps, quality, always_on, publish token, timeouts...) are equal; where
 * it was configured does not matter. Tokens for watching and control are not a stream's source
 * settings: they change without a restart (server::set_stream_access).
 */
reload_plan plan_reload(const std::vector<stream_spec>& running, const std::vector<stream_spec>& wanted);

/** A stream whose source cannot be built: "WHERE: stream NAME: why", a usage error. */
class stream_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/**
 * The streams wscam serves and their sources: started from the options, changed by a reload.
 * Used from one thread at a time (start-up, then the reload thread, then shutdown).
 */
class stream_set {
public:
    /** Stops a removed stream's viewers and publisher and takes it out of the registry (server::remove_stream). */
    using remover = std::function<void(const std::string& name, const std::string& reason)>;

    /** Network cameras run on the contexts `io` hands out (server::source_contexts()). */
    explicit stream_set(std::shared_ptr<stream_registry> registry, io_context_picker io = {})
        : registry_(std::move(registry)), io_(std::move(io)) {}
    ~stream_set() { stop_all(); }
    stream_set(const stream_set&) = delete;
    stream_set& operator=(const stream_set&) = delete;

    /**
     * Builds a source for each spec on a scratch stream, starting nothing: throws stream_error
     * for the first URI that cannot be used. Returns each source's description.
     */
    static std::vector<std::string> check(const std::vector<stream_spec>& specs);

    /**
     * Makes the running streams those of `wanted`: starts new ones, stops removed ones (after
     * `remove` has closed their viewers), restarts only the sources whose spec changed.
     * Check `wanted` first: a source that cannot be built throws stream_error here too,
     * after the streams before it were changed.
     */
    reload_plan apply(const std::vector<stream_spec>& wanted, const remover& remove);

    void stop_all();
    std::size_t size() const { return streams_.size(); }

    /** A cluster node's view of the local streams (cluster::cluster_node), told of every change. */
    struct cluster_hooks {
        std::function<void(const std::string& name)> release;  // a name about to become local
        std::function<void(const std::vector<std::shared_ptr<stream>>& hubs)> set_local;  // after every apply
    };
    void set_cluster(cluster_hooks hooks) { cluster_ = std::move(hooks); }

private:
    struct running {
        stream_spec spec;
        std::shared_ptr<stream> hub;
        std::unique_ptr<source> src;
    };
    /** The source of `spec` on `hub`; throws stream_error naming where and which stream. */
    static std::unique_ptr<source> build(const stream_spec& spec, std::shared_ptr<stream> hub,
                                         const io_context_picker& io = {});

    std::vector<running>::iterator find_running(const std::string& name);

    std::shared_ptr<stream_registry> registry_;
    io_context_picker io_;
    cluster_hooks cluster_;
    std::vector<running> streams_;
};

}  // namespace wscam
