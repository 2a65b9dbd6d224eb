#include "app/stream_set.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sources/source_factory.hpp"

namespace wscam {
namespace {

const stream_spec* find_spec(const std::vector<stream_spec>& specs, const std::string& name) {
    const auto it = std::find_if(specs.begin(), specs.end(), [&](const stream_spec& s) { return s.name == name; });
    return it == specs.end() ? nullptr : &*it;
}

bool same_source(const stream_spec& a, const stream_spec& b) { return a.uri == b.uri && a.defaults == b.defaults; }

}  // namespace

reload_plan plan_reload(const std::vector<stream_spec>& running, const std::vector<stream_spec>& wanted) {
    reload_plan plan;
    for (const auto& r : running)
        if (!find_spec(wanted, r.name)) plan.removed.push_back(r.name);
    for (const auto& w : wanted) {
        const auto* r = find_spec(running, w.name);
        if (!r)
            plan.added.push_back(w.name);
        else if (!same_source(*r, w))
            plan.restarted.push_back(w.name);
        else
            plan.unchanged.push_back(w.name);
    }
    return plan;
}

std::unique_ptr<source> stream_set::build(const stream_spec& spec, std::shared_ptr<stream> hub,
                                          const io_context_picker& io) {
    try {
        return make_source(spec.uri, std::move(hub), spec.defaults, io);
    } catch (const std::invalid_argument& e) {
        throw stream_error(spec.where + ": stream " + spec.name + ": " + e.what());
    }
}

std::vector<std::string> stream_set::check(const std::vector<stream_spec>& specs) {
    std::vector<std::string> described;
    for (const auto& spec : specs) {
        // A scratch stream: building a source may attach things to its stream (controls, a publish gate).
        described.push_back(build(spec, std::make_shared<stream>(spec.name))->describe());
    }
    return described;
}

std::vector<stream_set::running>::iterator stream_set::find_running(const std::string& name) {
    return std::find_if(streams_.begin(), streams_.end(), [&](const running& r) { return r.spec.name == name; });
}

reload_plan stream_set::apply(const std::vector<stream_spec>& wanted, const remover& remove) {
    std::vector<stream_spec> current;
    for (const auto& r : streams_) current.push_back(r.spec);
    const auto plan = plan_reload(current, wanted);

    for (const auto& name : plan.removed) {
        const auto it = find_running(name);
        it->src->stop();
        spdlog::info("stream={} removed: its viewers are closed", name);
        remove(name, "stream '" + name + "' was removed from the configuration");
        streams_.erase(it);
    }
    for (const auto& name : plan.restarted) {
        auto& r = *find_running(name);
        const auto& spec = *find_spec(wanted, name);
        r.src->stop();
        r.src.reset();
        // What the old source attached to the stream goes with it; viewers stay.
        r.hub->set_controllable(nullptr);
        r.hub->watch_demand(nullptr);
        r.hub->set_status(stream_status::down("restarting: its configuration changed"));
        r.spec = spec;
        r.src = build(spec, r.hub, io_);
        spdlog::info("stream={} source={} (restarted: configuration changed)", name, r.src->describe());
        r.src->start();
    }
    for (const auto& name : plan.added) {
        const auto& spec = *find_spec(wanted, name);
        if (cluster_.release) cluster_.release(name);  // another node's stream of that name steps aside
        auto hub = registry_->add(name);
        std::unique_ptr<source> src;
        try {
            src = build(spec, hub, io_);
        } catch (...) {
            registry_->take(name);
            throw;
        }
        spdlog::info("stream={} source={}", name, src->describe());
        src->start();
        streams_.push_back({spec, std::move(hub), std::move(src)});
    }
    // Keep the configured order (the first stream is the one `/` shows).
    std::vector<running> ordered;
    for (const auto& w : wanted) {
        auto it = find_running(w.name);
        if (it != streams_.end()) {
            it->spec.where = w.where;
            ordered.push_back(std::move(*it));
        }
    }
    streams_ = std::move(ordered);
    if (cluster_.set_local) {
        std::vector<std::shared_ptr<stream>> hubs;
        for (const auto& r : streams_) hubs.push_back(r.hub);
        cluster_.set_local(hubs);
    }
    return plan;
}

void stream_set::stop_all() {
    for (auto& r : streams_)
        if (r.src) r.src->stop();
    streams_.clear();
}

}  // namespace wscam
