#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wscam {

/** Width, height and chroma subsampling read from a JPEG's header. */
struct jpeg_header_info {
    int width = 0;
    int height = 0;
    int subsampling = -1;  // TJSAMP_* value
};

/** TurboJPEG compressor (RAII around tjhandle); one per thread, it is not thread-safe. */
class jpeg_encoder {
public:
    jpeg_encoder();
    ~jpeg_encoder();
    jpeg_encoder(const jpeg_encoder&) = delete;
    jpeg_encoder& operator=(const jpeg_encoder&) = delete;

    /**
     * Encodes packed RGB (3 bytes a pixel) with 4:2:0 chroma into `out` starting at
     * `offset` (the bytes before it are kept), leaving `out` exactly that size (its capacity
     * too: frames are held by stalled viewers, so they must not carry the worst case).
     * Returns the JPEG's size. Throws std::runtime_error with TurboJPEG's message.
     */
    std::size_t encode_rgb(const std::uint8_t* rgb, int width, int height, int quality,
                           std::vector<std::uint8_t>& out, std::size_t offset);

    /**
     * Encodes packed pixels (`tj_pixel_format` is a TJPF_* value: RGB, BGR, GRAY, ...) with
     * `pitch` bytes per row; grey input makes a greyscale JPEG. Same output rules as encode_rgb.
     */
    std::size_t encode_packed(const std::uint8_t* pixels, int width, int pitch, int height, int tj_pixel_format,
                              int quality, std::vector<std::uint8_t>& out, std::size_t offset);

    /**
     * Encodes planar YUV (Y, U, V planes with their strides) in the given TJSAMP_* subsampling,
     * with no RGB detour. Same output rules as encode_rgb.
     */
    std::size_t encode_yuv_planes(const std::uint8_t* const planes[3], const int strides[3], int width, int height,
                                  int tj_subsampling, int quality, std::vector<std::uint8_t>& out, std::size_t offset);

private:
    unsigned char* scratch(unsigned long worst_case);
    std::size_t copy_out(std::size_t size, std::vector<std::uint8_t>& out, std::size_t offset);

    void* handle_;
    std::vector<std::uint8_t> scratch_;  // reused; TurboJPEG writes the worst case here, once per encoder
};

/** TurboJPEG decompressor; one per thread. */
class jpeg_decoder {
public:
    jpeg_decoder();
    ~jpeg_decoder();
    jpeg_decoder(const jpeg_decoder&) = delete;
    jpeg_decoder& operator=(const jpeg_decoder&) = delete;

    /** Reads the header; nullopt (and `error`) if TurboJPEG cannot parse it. */
    std::optional<jpeg_header_info> read_header(std::span<const std::uint8_t> jpeg, std::string* error = nullptr);

    /** Decodes to packed RGB; false (and `error`) on failure. */
    bool decode_rgb(std::span<const std::uint8_t> jpeg, std::vector<std::uint8_t>& rgb, int& width,
                    int& height, std::string* error = nullptr);

    /**
     * Decodes the brightness only, scaled down by TurboJPEG's IDCT (1/2, 1/4 or 1/8: the
     * largest that is at most `max_width` wide, else 1/8) into `grey` (one byte a pixel, rows
     * packed): what motion detection looks at, for a fraction of a full decode. False (and
     * `error`) on failure, warnings included.
     */
    bool decode_grey_scaled(std::span<const std::uint8_t> jpeg, int max_width, std::vector<std::uint8_t>& grey,
                            int& width, int& height, jpeg_header_info& full, std::string* error = nullptr);

private:
    void* handle_;
};

/**
 * How many scans (SOS segments) a JPEG has, counting up to `stop_after` + 1 (then it stops
 * looking): a walk over its marker segments and entropy-coded data, linear in its bytes. A
 * baseline picture has one (or three, non-interleaved); a progressive one about ten. Each scan of
 * a progressive picture costs a pass over all its coefficients when it is decoded: a 0.7 MB
 * picture of 10,000 empty scans held a decoder for 30 s, so frames from outside are refused past
 * `max_jpeg_scans`.
 */
int jpeg_scan_count(std::span<const std::uint8_t> jpeg, int stop_after);
inline constexpr int max_jpeg_scans = 64;

/** Cheap structural check: starts with SOI (FFD8) and ends with EOI (FFD9). */
bool has_jpeg_markers(std::span<const std::uint8_t> data);

}  // namespace wscam
