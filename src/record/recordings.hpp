#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/stream.hpp"
#include "record/cluster_holds.hpp"
#include "record/recorder.hpp"
#include "record/recording_index.hpp"
#include "record/retention.hpp"

namespace wscam::record {

/**
 * The recorders of a server's streams, one per recorded stream, made to match what the
 * configuration asks (at start and after each reload). Used from one thread at a time
 * (start-up, the reload thread, shutdown); stats() from any.
 */
class recordings {
public:
    /** A stream's H.264 rendition to record from, or nullopt when the server encodes no H.264. */
    using feed_for = std::function<std::optional<h264_feed>(const std::shared_ptr<stream>&)>;

    recordings(std::shared_ptr<stream_registry> registry, feed_for h264);
    ~recordings();
    recordings(const recordings&) = delete;
    recordings& operator=(const recordings&) = delete;

    /**
     * Records exactly the streams in `wanted` (by name), each with its settings: starts new
     * recorders, stops those no longer wanted (their open segment is closed), restarts one whose
     * settings or stream changed. Then brings the index (`folder`/index.sqlite3) in line with
     * every stream folder there. A recorder or index that cannot start throws segment_error or
     * index_error when `strict` (at start: wscam refuses to run) and is logged otherwise (a reload).
     */
    void apply(const std::filesystem::path& folder, const std::map<std::string, recording_settings>& wanted, bool strict);
    /**
     * The cluster's word (cluster_state::should_record): a held stream is not recorded here,
     * since another node serving a stream of that name records it; released, it records again
     * if the configuration asks. Any thread (serialised with apply()).
     */
    void hold(const std::string& stream, bool hold);
    /** In a cluster: every stream is held until hold() says otherwise (the cluster has heard the other nodes). */
    void hold_until_told();
    /** Whether this node records `stream` now. */
    bool records(const std::string& stream) const;

    /**
     * How much to keep (record_max_age, record_max_bytes by stream; --record-dir-max-bytes for the
     * folder, 0: no cap): applied at once and again whenever a segment closes, at least every
     * minute, by a thread of the manager's own. Streams recorded before but not now keep their
     * segments, under the folder's cap only.
     */
    void keep(std::map<std::string, keep_limits> limits, std::uint64_t folder_max_bytes);
    /**
     * Deletes a stream's finished segments holding a picture of [from_us, to_us), files and
     * index rows alike, and returns them: every picture of the range is gone, and whole segments
     * go (a segment is the unit on disk); one that only touches a bound stays. The segment being
     * written is kept (segments() shows it).
     */
    std::vector<segment_entry> erase(const std::string& stream, std::int64_t from_us, std::int64_t to_us);
    /** The folder of the recordings (--record-dir); empty before the first apply(). */
    std::filesystem::path folder() const;
    void stop_all();
    std::size_t size() const;
    /** What the stream's recorder is doing; nullopt if it is not recorded. */
    std::optional<recording_stats> stats(const std::string& name) const;
    /** The index of the recordings; null until one could be opened. */
    std::shared_ptr<recording_index> index() const;
    /**
     * A stream's segments overlapping [from_us, to_us], oldest first: the index's, and the one
     * being written (which the index gets when it closes). With a `limit`, the first that many
     * (the one being written only if fewer come before it).
     */
    std::vector<segment_entry> segments(const std::string& stream, std::int64_t from_us, std::int64_t to_us,
                                        std::size_t limit = SIZE_MAX) const;
    /**
     * Starts (or extends) or stops a clip of a stream recorded as events (recorder::clip):
     * where the clip now ends; nullopt when the stream is not recorded as events here.
     */
    std::optional<std::int64_t> clip(const std::string& stream, bool start);
    /** Where a segment lies, if the index knows it or it is being written; nullopt otherwise. */
    std::optional<std::filesystem::path> segment_file(const std::string& stream, const std::string& name) const;

private:
    struct entry {
        std::shared_ptr<stream> source;
        std::unique_ptr<recorder> rec;
    };

    /** Makes the recorders match asked_ less held_ (apply_mutex_ held). */
    void apply_asked(bool strict);
    /** Opens the index in `folder` if it is not open there, and syncs every stream folder in it. */
    void index_folder(const std::filesystem::path& folder, bool strict);
    /** The retention thread: expired segments' files and rows go, oldest first. */
    void clean(std::stop_token stop);
    void clean_once();
    /** Removes one segment's file, then its row; false (logged) when the file cannot be removed. */
    static bool remove_segment(recording_index& index, const std::filesystem::path& folder, const segment_entry& s);

    std::shared_ptr<stream_registry> registry_;
    feed_for h264_;
    std::mutex apply_mutex_;  // apply() and hold(): one at a time
    std::filesystem::path asked_folder_;                     // under apply_mutex_
    std::map<std::string, recording_settings> asked_;        // under apply_mutex_: what the configuration asks
    cluster_holds holds_;                                    // under apply_mutex_
    std::filesystem::path folder_;
    std::shared_ptr<recording_index> index_;  // under mutex_ (read by HTTP threads)
    mutable std::mutex mutex_;  // guards running_ for stats(); apply runs on one thread
    std::map<std::string, entry> running_;
    std::map<std::string, keep_limits> keep_;  // under mutex_
    std::uint64_t folder_max_bytes_ = 0;       // under mutex_
    std::condition_variable_any clean_wake_;
    bool clean_due_ = false;                   // under mutex_
    std::jthread cleaner_;                     // last: it uses everything above
};

}  // namespace wscam::record
