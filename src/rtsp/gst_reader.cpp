#include "rtsp/gst_reader.hpp"

#include <gst/app/gstappsrc.h>

namespace wscam::rtsp {
namespace {

// The buffer's memory is the frame's own bytes; the frame lives until GStreamer lets the buffer go.
void release_frame(gpointer holder) { delete static_cast<frame_ptr*>(holder); }

}  // namespace

gst_reader::gst_reader(GstElement* appsrc, std::function<void(const std::string&)> cut)
    : appsrc_(GST_ELEMENT(gst_object_ref(appsrc))), cut_(std::move(cut)) {}

gst_reader::~gst_reader() { gst_object_unref(appsrc_); }

void gst_reader::configure(GstElement* appsrc) {
    GstCaps* caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream", "alignment",
                                        G_TYPE_STRING, "au", nullptr);
    // Our own bound (reader_gate) keeps far fewer units waiting; the appsrc's is a second line.
    g_object_set(appsrc, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", FALSE, "block", FALSE,
                 "max-buffers", guint64{64}, "max-bytes", guint64{0}, "max-time", guint64{0}, "leaky-type", 2 /* downstream */,
                 nullptr);
    gst_caps_unref(caps);
}

std::size_t gst_reader::waiting() const {
    return static_cast<std::size_t>(gst_app_src_get_current_level_buffers(GST_APP_SRC(appsrc_)));
}

void gst_reader::push(const frame_ptr& unit) {
    const auto au = unit->payload();
    auto* holder = new frame_ptr(unit);
    GstBuffer* buffer = gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(au.data()),
                                                    au.size(), 0, au.size(), holder, release_frame);
    // Running time of the capture: the pipeline's clock is the real-time clock (rtsp_server).
    const GstClockTime base = gst_element_get_base_time(appsrc_);
    const auto capture_ns = static_cast<GstClockTime>(unit->capture_us()) * 1000;
    GST_BUFFER_PTS(buffer) = capture_ns > base ? capture_ns - base : 0;
    GST_BUFFER_DTS(buffer) = GST_BUFFER_PTS(buffer);  // no B-frames (tune zerolatency)
    if (!unit->keyframe()) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buffer);  // takes the buffer; never blocks ("block" is off)
}

void gst_reader::cut_off(const std::string& why) { cut_(why); }

}  // namespace wscam::rtsp
