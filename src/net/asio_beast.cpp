// The compiled half of Asio, Asio's SSL and Beast, built once for the whole program.
//
// With BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION (set by the
// wscam_beast target for everything that links it), their headers declare the non-template
// functions instead of defining them inline in every translation unit; this file holds the
// definitions. It cut a cold build of the Beast-heavy sessions by about a fifth (PERFORMANCE.md).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
