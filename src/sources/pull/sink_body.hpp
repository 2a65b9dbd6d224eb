#pragma once

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/asio/error.hpp>
#include <boost/optional/optional.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <span>

namespace wscam::pull {

/**
 * An HTTP body that is not stored: the parser hands each piece of it, straight from the read
 * buffer, to `sink` (a multipart stream never ends; a body buffer in between was one more
 * copy of every frame and 64 KiB per camera). The sink runs inside Beast's read operation,
 * where an exception must not escape: it is kept and the read ends with an error; the reader
 * rethrows it.
 */
struct sink_body {
    struct value_type {
        std::function<void(std::span<const std::uint8_t>)> sink;
        std::exception_ptr error;
    };

    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            ec = {};
            std::size_t used = 0;
            for (const auto b : boost::beast::buffers_range_ref(buffers)) {
                try {
                    if (body_.sink) body_.sink({static_cast<const std::uint8_t*>(b.data()), b.size()});
                } catch (...) {
                    body_.error = std::current_exception();
                    ec = boost::asio::error::operation_aborted;
                    return used;
                }
                used += b.size();
            }
            return used;
        }

        void finish(boost::beast::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

}  // namespace wscam::pull
