# `make deb`: a Debian package of wscam with CPack: the binary, the systemd unit, its user,
# the example config (a conffile), the README as docs; Depends from dpkg-shlibdeps.
include(GNUInstallDirs)

install(TARGETS wscam RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/wscam.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/wscam.sysusers DESTINATION lib/sysusers.d RENAME wscam.conf)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/wscam.toml DESTINATION /etc/wscam)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
# Debian wants the changelog gzipped without a timestamp.
set(WSCAM_CHANGELOG_GZ ${PROJECT_BINARY_DIR}/changelog.Debian.gz)
add_custom_command(OUTPUT ${WSCAM_CHANGELOG_GZ}
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${WSCAM_CHANGELOG_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog VERBATIM)
add_custom_target(wscam_changelog ALL DEPENDS ${WSCAM_CHANGELOG_GZ})
install(FILES ${WSCAM_CHANGELOG_GZ} DESTINATION ${CMAKE_INSTALL_DOCDIR})
# A manual page from --help (help2man), when it is installed.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(WSCAM_MAN_GZ ${PROJECT_BINARY_DIR}/wscam.1.gz)
  add_custom_command(OUTPUT ${WSCAM_MAN_GZ}
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --name "streams live camera video to web browsers over WebSocket"
            --section 1 --output ${PROJECT_BINARY_DIR}/wscam.1 $<TARGET_FILE:wscam>
    COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/wscam.1
    DEPENDS wscam VERBATIM)
  add_custom_target(wscam_man ALL DEPENDS ${WSCAM_MAN_GZ})
  install(FILES ${WSCAM_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wscam)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Whoever publishes the package sets a real address: -DWSCAM_MAINTAINER="Name <mail>".
set(WSCAM_MAINTAINER "wscam authors <wscam@localhost>" CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${WSCAM_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "streams live camera video to web browsers over WebSocket")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "wscam serves ESP32-CAM boards, Linux webcams (V4L2), IP cameras and any
program that writes MJPEG to any number of browsers, with the lowest latency
the network allows: over WebSocket, and as MJPEG over HTTP for Home Assistant,
Frigate, OctoPrint, VLC and ffmpeg.
.
This package runs it as a systemd service (wscam.service), configured by
/etc/wscam/wscam.toml.")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# deb-systemd-helper in the maintainer scripts; adduser where systemd-sysusers is missing;
# /bin/kill for ExecReload; GStreamer's elements for RTSP (appsrc, the RTP payloader, rtpbin, UDP),
# loaded at run time, so shlibdeps cannot see them.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.52), adduser, procps, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
# No debug symbols package and no leftovers of the build tree.
set(CPACK_SOURCE_IGNORE_FILES "/build.*/;/\\\\.git/")
include(CPack)
