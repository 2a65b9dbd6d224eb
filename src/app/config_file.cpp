#include "app/config_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "core/stream.hpp"
#include "record/recording_options.hpp"
#include "record/retention.hpp"
#include "core/text.hpp"

namespace wscam {
namespace {

std::string where(const std::string& path, const toml::source_region& r) {
    return fmt::format("{}:{}", path, r.begin.line);
}

[[noreturn]] void fail(const std::string& path, const toml::source_region& r, const std::string& why) {
    throw config_file_error(fmt::format("{}:{}:{}: {}", path, r.begin.line, r.begin.column, why));
}

std::string dashed(std::string key) {
    for (auto& c : key)
        if (c == '_') c = '-';
    return key;
}

// A scalar as the command line would spell it; nullopt for tables, arrays, dates.
std::optional<std::string> scalar_text(const toml::node& n, bool& boolean) {
    boolean = false;
    if (const auto* s = n.as_string()) return s->get();
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (const auto* f = n.as_floating_point()) return fmt::format("{}", f->get());
    if (const auto* b = n.as_boolean()) {
        boolean = true;
        return b->get() ? "true" : "false";
    }
    return std::nullopt;
}

// [[x, y], ...] fractions of the picture; a mask is an array of them.
motion::polygon read_polygon(const toml::node& n, const std::string& path, const std::string& stream) {
    const auto why = fmt::format("stream {}: motion_mask: write each polygon as [[x, y], [x, y], [x, y], ...] "
                                 "with x and y fractions of the picture from 0 to 1", stream);
    const auto* points = n.as_array();
    if (!points) fail(path, n.source(), why);
    motion::polygon poly;
    for (const auto& p : *points) {
        const auto* xy = p.as_array();
        if (!xy || xy->size() != 2 || !(*xy)[0].is_number() || !(*xy)[1].is_number()) fail(path, p.source(), why);
        poly.push_back({(*xy)[0].value<double>().value_or(-1), (*xy)[1].value<double>().value_or(-1)});
    }
    return poly;
}

void read_motion_key(config_stream& s, const std::string& key, const toml::node& v, const std::string& path) {
    motion::settings probe;  // each value is checked alone against the defaults of the others
    if (key == "motion") {
        if (!v.is_boolean()) fail(path, v.source(), fmt::format("stream {}: motion must be true or false", s.name));
        s.motion = v.as_boolean()->get();
        return;
    } else if (key == "motion-threshold") {
        if (!v.is_integer()) fail(path, v.source(), fmt::format("stream {}: motion_threshold must be a whole number from 1 to 255", s.name));
        const auto t = v.as_integer()->get();
        probe.threshold = t < 0 || t > 255 ? 0 : static_cast<int>(t);
        s.motion_threshold = probe.threshold;
    } else if (key == "motion-min-area") {
        if (!v.is_number()) fail(path, v.source(), fmt::format("stream {}: motion_min_area must be a number (0.005: half a percent)", s.name));
        probe.min_area = v.value<double>().value_or(-1);
        s.motion_min_area = probe.min_area;
    } else if (key == "motion-cooldown") {
        const auto text = v.is_integer() ? std::to_string(v.as_integer()->get()) : v.is_string() ? v.as_string()->get() : std::string("?");
        const auto c = motion::parse_cooldown(text);
        if (!c) fail(path, v.source(), fmt::format("stream {}: motion_cooldown: give seconds, or a number with s or m (\"5s\"), from 0.5s to 1h", s.name));
        probe.cooldown = *c;
        s.motion_cooldown = *c;
    } else if (key == "motion-mask") {
        const auto* list = v.as_array();
        if (!list) fail(path, v.source(), fmt::format("stream {}: motion_mask must be a list of polygons: [[[x, y], [x, y], [x, y]]]", s.name));
        std::vector<motion::polygon> mask;
        for (const auto& poly : *list) mask.push_back(read_polygon(poly, path, s.name));
        probe.mask = mask;
        s.motion_mask = std::move(mask);
    } else {
        fail(path, v.source(), fmt::format("unknown key '{}' in [[stream]] (motion keys: motion, motion_threshold, "
                                           "motion_min_area, motion_mask, motion_cooldown)", key));
    }
    if (auto why = motion::check(probe)) fail(path, v.source(), fmt::format("stream {}: {}", s.name, *why));
}

config_webhook read_webhook(const toml::table& t, const std::string& path) {
    config_webhook h;
    h.where = where(path, t.source());
    for (const auto& [k, v] : t) {
        const std::string key = dashed(std::string(k.str()));
        if (key == "url" || key == "secret") {
            if (!v.is_string()) fail(path, v.source(), fmt::format("webhook {} must be a string", key));
            (key == "url" ? h.url : h.secret) = v.as_string()->get();
        } else if (key == "streams") {
            const auto* list = v.as_array();
            if (!list) fail(path, v.source(), "webhook streams: a list of stream names, e.g. [\"door\", \"yard\"]");
            for (const auto& s : *list) {
                if (!s.is_string() || !stream_registry::valid_name(s.as_string()->get()))
                    fail(path, s.source(), "webhook streams: a list of stream names (1-64 of A-Z a-z 0-9 _ -)");
                h.streams.push_back(s.as_string()->get());
            }
        } else if (key == "timeout") {
            if (!v.is_number()) fail(path, v.source(), "webhook timeout: seconds, from 0.5 to 60");
            h.timeout_s = v.value<double>().value_or(0);
            if (!(h.timeout_s >= 0.5 && h.timeout_s <= 60)) fail(path, v.source(), "webhook timeout: seconds, from 0.5 to 60");
        } else if (key == "retries") {
            if (!v.is_integer() || v.as_integer()->get() < 0 || v.as_integer()->get() > 10)
                fail(path, v.source(), "webhook retries: a whole number from 0 to 10");
            h.retries = static_cast<int>(v.as_integer()->get());
        } else {
            fail(path, k.source(), fmt::format("unknown key '{}' in [[webhook]] (known: url, secret, streams, timeout, retries)",
                                               sanitize_text(std::string(k.str()))));
        }
    }
    if (h.url.empty()) fail(path, t.source(), "[[webhook]] without a url");
    return h;
}

config_stream read_stream(const toml::table& t, const std::string& path) {
    config_stream s;
    s.where = where(path, t.source());
    auto text = [&](const toml::node& n, std::string_view key) {
        if (!n.is_string()) fail(path, n.source(), fmt::format("stream {}: {} must be a string", s.name, key));
        return n.as_string()->get();
    };
    // Keys come sorted, so the name is read first for the messages of keys before it.
    if (const auto* n = t.get("name"); n && n->is_string()) s.name = n->as_string()->get();
    for (const auto& [k, v] : t) {
        const std::string key = dashed(std::string(k.str()));
        if (key == "name")
            s.name = text(v, key);
        else if (key == "source")
            s.source = text(v, key);
        else if (key == "view-token")
            s.view_token = text(v, key);
        else if (key == "control-token")
            s.control_token = text(v, key);
        else if (key == "publish-token")
            s.publish_token = text(v, key);
        else if (key == "size")
            s.size = text(v, key);
        else if (key == "always-on") {
            if (!v.is_boolean()) fail(path, v.source(), "always_on must be true or false");
            s.always_on = v.as_boolean()->get();
        } else if (key == "fps") {
            if (!v.is_number()) fail(path, v.source(), "fps must be a number");
            s.fps = v.value<double>();
            if (!(*s.fps >= 0.1 && *s.fps <= 240)) fail(path, v.source(), "fps must be between 0.1 and 240");
        } else if (key == "quality") {
            if (!v.is_integer()) fail(path, v.source(), "quality must be a whole number");
            s.quality = static_cast<int>(v.as_integer()->get());
            if (*s.quality < 1 || *s.quality > 100) fail(path, v.source(), "quality must be between 1 and 100");
        } else if (key == "record") {
            s.record = text(v, key);
            if (!record::parse_mode(*s.record))
                fail(path, v.source(), fmt::format("stream {}: record must be \"continuous\", \"events\" or \"off\"", s.name));
        } else if (key == "record-codec") {
            s.record_codec = text(v, key);
            if (!record::parse_codec(*s.record_codec))
                fail(path, v.source(), fmt::format("stream {}: record_codec must be \"h264\" or \"mjpeg\"", s.name));
        } else if (key == "record-max-age") {
            s.record_max_age = v.is_integer() ? std::to_string(v.as_integer()->get()) : text(v, key);
            if (!record::parse_age(*s.record_max_age))
                fail(path, v.source(), fmt::format("stream {}: record_max_age: give seconds, or a number with s, m, h or d (\"7d\")", s.name));
        } else if (key == "record-max-bytes") {
            s.record_max_bytes = v.is_integer() ? std::to_string(v.as_integer()->get()) : text(v, key);
            if (!record::parse_bytes(*s.record_max_bytes))
                fail(path, v.source(), fmt::format("stream {}: record_max_bytes: give bytes, or a number with K, M, G or T (\"20G\")", s.name));
        } else if (key == "timelapse") {
            s.timelapse = v.is_integer() ? std::to_string(v.as_integer()->get()) : text(v, key);
            if (!record::parse_timelapse(*s.timelapse))
                fail(path, v.source(), fmt::format("stream {}: timelapse: give seconds from 1 to 86400, or a number with s, m or h (\"60s\"); 0: none", s.name));
        } else if (key.starts_with("motion")) {
            read_motion_key(s, key, v, path);
        } else {
            fail(path, k.source(),
                 fmt::format("unknown key '{}' in [[stream]] (known: name, source, view_token, control_token, "
                             "publish_token, always_on, size, fps, quality, record, record_codec, record_max_age, "
                             "record_max_bytes, timelapse, motion, motion_threshold, motion_min_area, motion_mask, "
                             "motion_cooldown)",
                             k.str()));
        }
    }
    if (s.name.empty()) fail(path, t.source(), "[[stream]] without a name");
    if (!stream_registry::valid_name(s.name))
        fail(path, t.source(), fmt::format("stream name '{}': use 1-64 of A-Z a-z 0-9 _ -", s.name));
    if (s.source.empty()) fail(path, t.source(), fmt::format("stream {}: no source", s.name));
    return s;
}

}  // namespace

config_document parse_config(std::string_view text, const std::string& path) {
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        throw config_file_error(fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column,
                                            e.description()));
    }
    config_document doc;
    std::set<std::string> names;
    // toml++ keeps keys sorted; settings and streams are taken in the file's order.
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (const auto& [k, v] : root) entries.emplace_back(&k, &v);
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first->source().begin < b.first->source().begin; });
    for (const auto& [kp, vp] : entries) {
        const auto& k = *kp;
        const auto& v = *vp;
        const std::string key = dashed(std::string(k.str()));
        if (key == "stream") {
            const auto* list = v.as_array();
            if (!list || !list->is_array_of_tables())
                fail(path, v.source(), "stream must be tables: write each camera as [[stream]]");
            for (const auto& item : *list) {
                auto s = read_stream(*item.as_table(), path);
                if (!names.insert(s.name).second)
                    fail(path, item.source(), fmt::format("stream '{}' is defined twice", s.name));
                doc.streams.push_back(std::move(s));
            }
            continue;
        }
        if (key == "webhook") {
            const auto* list = v.as_array();
            if (!list || !list->is_array_of_tables())
                fail(path, v.source(), "webhook must be tables: write each as [[webhook]] with url = \"...\"");
            for (const auto& item : *list) doc.webhooks.push_back(read_webhook(*item.as_table(), path));
            continue;
        }
        // [nats]: urls = [...] and node = "..." are the --nats and --node settings.
        if (key == "nats" && v.as_table()) {
            for (const auto& [nk, nv] : *v.as_table()) {
                const std::string name(nk.str());
                if (name != "urls" && name != "node")
                    fail(path, nk.source(), fmt::format("[nats] has no setting '{}' (it has urls and node)", sanitize_text(name)));
                config_setting setting{name == "urls" ? "nats" : "node", {}, false, where(path, nk.source())};
                const auto* list = nv.as_array();
                if (name == "urls" && list) {
                    for (const auto& item : *list) {
                        if (!item.is_string()) fail(path, item.source(), "[nats] urls: a list of nats:// URLs");
                        setting.values.push_back(std::string(*item.value<std::string>()));
                    }
                } else if (nv.is_string()) {
                    setting.values.push_back(std::string(*nv.value<std::string>()));
                } else {
                    fail(path, nv.source(), fmt::format("[nats] {}: expected a string{}", name, name == "urls" ? " or a list of them" : ""));
                }
                doc.settings.push_back(std::move(setting));
            }
            continue;
        }
        // A quoted TOML key may be anything ("" = 1, "a b" = 1): a setting is an option's name.
        if (key.empty() || !std::all_of(key.begin(), key.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            }))
            fail(path, k.source(),
                 fmt::format("'{}' is not a setting (the settings are the long options of wscam --help)",
                             sanitize_text(std::string(k.str()))));
        if (key == "config" || key == "check-config" || key == "help" || key == "version")
            fail(path, k.source(), fmt::format("'{}' cannot be set in a config file", k.str()));
        config_setting setting{key, {}, false, where(path, k.source())};
        if (const auto* list = v.as_array()) {
            for (const auto& item : *list) {
                bool boolean = false;
                auto t = scalar_text(item, boolean);
                if (!t || boolean) fail(path, item.source(), fmt::format("{}: a list of strings or numbers", k.str()));
                setting.values.push_back(*t);
            }
        } else if (auto t = scalar_text(v, setting.boolean)) {
            setting.values.push_back(*t);
        } else {
            fail(path, v.source(), fmt::format("{}: expected a string, number, true/false or a list", k.str()));
        }
        doc.settings.push_back(std::move(setting));
    }
    return doc;
}

config_document read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_file_error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

}  // namespace wscam
