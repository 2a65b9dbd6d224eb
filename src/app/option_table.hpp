#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "core/frame_size.hpp"

namespace wscam {

/**
 * What the command line says in the form it is typed, where app_options holds it in another
 * form: a size by name, seconds as numbers, streams as text. parse_options converts them. The
 * defaults are the ones of the fields they become, so each is written once.
 */
struct raw_options {
    std::string size = to_string(test_card_options{}.size);  // --size: test_card_options::size
    std::string source = "testsrc:";                             // --source: the 'default' stream
    std::vector<std::string> streams;                            // --stream NAME=URI, in order
    // --stall-timeout, --reconnect-delay, --reconnect-max: intake_options' milliseconds
    double stall_s = seconds(intake_options{}.stall_timeout);
    double reconnect_s = seconds(intake_options{}.reconnect_initial);
    double reconnect_max_s = seconds(intake_options{}.reconnect_max);
    // --header-timeout, --write-timeout: server_config's
    std::int64_t header_timeout_s = server_config{}.header_timeout.count();
    std::int64_t write_timeout_s = server_config{}.write_timeout.count();
    // --record, --record-codec: every stream's stream_recording unless its table says otherwise
    std::string record = "off";
    std::string record_codec = "h264";
    std::string record_max_age = "0";    // --record-max-age: record::parse_age
    std::string record_max_bytes = "0";  // --record-max-bytes: record::parse_bytes
    std::string record_dir_max_bytes = "0";  // --record-dir-max-bytes: app_options::record_dir_max_bytes
    std::string timelapse = "0";  // --timelapse: record::parse_timelapse
    // --motion and its defaults: every stream's stream_recording::motion unless its table says otherwise
    bool motion = false;
    int motion_threshold = motion::settings{}.threshold;
    double motion_min_area = motion::settings{}.min_area;
    std::string motion_cooldown = "5s";  // motion::parse_cooldown
    std::string events_max_age = "30d";   // --events-max-age: record::parse_age
    std::string events_max_bytes = "1G";  // --events-max-bytes: record::parse_bytes

private:
    static double seconds(std::chrono::milliseconds ms) { return std::chrono::duration<double>(ms).count(); }
};

/**
 * wscam's command line: every option once, in --help order, with its names, help text,
 * default and check, bound to the app_options field (or raw_options value) it sets.
 * The options a reload cannot apply are marked where they are defined, so the list of them
 * (restart_only_changes) follows the table and uses the names --help shows.
 */
class option_table {
public:
    /** Binds every option to `options` and `raw`, which must outlive the table. */
    option_table(app_options& options, raw_options& raw);
    option_table(const option_table&) = delete;
    option_table& operator=(const option_table&) = delete;

    CLI::App& cli() { return app_; }
    /** After parsing: --source was typed or set in the config file (not left at its default). */
    bool source_given() const { return source_->count() > 0; }
    /** The long names of the restart-only options whose values differ between `a` and `b`, in table order. */
    std::vector<std::string> restart_only_changes(const app_options& a, const app_options& b) const;

private:
    // The options in --help order, a group each.
    void add_camera_options(app_options& o, raw_options& raw);
    void add_access_options(app_options& o, raw_options& raw);
    void add_tool_options(app_options& o);
    void add_network_options(app_options& o, raw_options& raw);
    void add_h264_options(server_config& s);
    void add_cluster_options(app_options& o);
    void add_motion_options(app_options& o, raw_options& raw);
    void add_record_options(app_options& o, raw_options& raw);
    void add_config_options(app_options& o);

    /** Marks `opt` as one a reload cannot apply; `field` is what it sets (or what its value becomes). */
    template <class T>
    CLI::Option* restart_only(CLI::Option* opt, T server_config::*field);
    template <class T>
    CLI::Option* restart_only(CLI::Option* opt, T app_options::*field);
    /** The same for a field of the H.264 settings (server_config::h264): the encoders keep the ones they started with. */
    template <class T>
    CLI::Option* restart_only(CLI::Option* opt, T h264_settings::*field);

    struct restart_only_option {
        std::string name;  // long, without dashes: "max-connections-per-ip"
        std::function<bool(const app_options& a, const app_options& b)> differs;
    };

    CLI::App app_;
    CLI::Option* source_ = nullptr;
    std::vector<restart_only_option> restart_only_;
};

}  // namespace wscam
