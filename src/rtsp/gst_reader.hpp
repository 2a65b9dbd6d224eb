#pragma once

#include <gst/gst.h>

#include <functional>
#include <string>

#include "rtsp/rtsp_feed.hpp"

namespace wscam::rtsp {

/**
 * One RTSP reader's pipeline entrance: the appsrc of the media GStreamer made for it, fed by
 * the stream's rtsp_feed. Units go in without a copy (the buffer wraps the frame's bytes and
 * holds the frame), stamped with their capture time in the pipeline's clock (the system's
 * real-time clock, so RTP timestamps and RTCP sender reports tell capture times).
 */
class gst_reader final : public unit_reader {
public:
    /** `appsrc` is referenced; `cut` is called (any thread, must not block) when the feed cuts the reader off. */
    gst_reader(GstElement* appsrc, std::function<void(const std::string&)> cut);
    ~gst_reader() override;
    gst_reader(const gst_reader&) = delete;
    gst_reader& operator=(const gst_reader&) = delete;

    /** Sets the appsrc's caps and properties: live, timestamps in time, byte-stream access units. */
    static void configure(GstElement* appsrc);

    std::size_t waiting() const override;
    void push(const frame_ptr& unit) override;
    void cut_off(const std::string& why) override;

private:
    GstElement* appsrc_;
    std::function<void(const std::string&)> cut_;
};

}  // namespace wscam::rtsp
