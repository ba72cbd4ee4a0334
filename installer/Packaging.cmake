# Debian package of ReelStack, made with CPack. Included at the end of the top-level
# CMakeLists.txt, after every install() rule (app/ installs `platform` to bin/).
#
#   cmake --preset release && cmake --build --preset release
#   cd build/release && cpack            # -> build/release/reelstack_<version>_<arch>.deb
#
# The package holds:
#   /usr/bin/platform
#   /usr/lib/systemd/system/platform@.service   (instance = role list: platform@all, ...)
#   /usr/share/reelstack/reelstack.conf.example
#   /etc/reelstack/reelstack.conf               (conffile: the example, read by the unit)

set(REELSTACK_INSTALLER_DIR "${CMAKE_CURRENT_LIST_DIR}")

install(FILES "${REELSTACK_INSTALLER_DIR}/platform@.service"
        DESTINATION lib/systemd/system)
install(FILES "${REELSTACK_INSTALLER_DIR}/reelstack.conf.example"
        DESTINATION share/reelstack)
# The unit passes --config=/etc/reelstack/reelstack.conf, so the package ships one;
# being a conffile, an administrator's edits survive upgrades.
install(FILES "${REELSTACK_INSTALLER_DIR}/reelstack.conf.example"
        DESTINATION /etc/reelstack RENAME reelstack.conf)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "reelstack")
set(CPACK_PACKAGE_VENDOR "ReelStack")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "ReelStack is a video streaming platform in one Qt 6 program, `platform`, whose\n"
  "roles (api, origin, edge, control, license, monitor, ingest, encode, player) run\n"
  "as HTTP listeners in one process or spread over many hosts. The systemd unit\n"
  "template platform@.service runs one role list per instance, e.g. platform@all\n"
  "or platform@edge.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_CONTACT "ReelStack maintainers <maintainers@reelstack.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # reelstack_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
# Description: CPACK_PACKAGE_DESCRIPTION_SUMMARY, then CPACK_PACKAGE_DESCRIPTION.
set(CPACK_DEBIAN_PACKAGE_SECTION "video")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The encode role drives ffmpeg; nginx, prometheus, ... are for development only.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ffmpeg")

# Dependencies: computed by dpkg-shlibdeps from the linked libraries. That needs
# dpkg-shlibdeps (dpkg-dev) and file(1) when cpack runs; without them, fall back to a
# hand-written list for Debian 12.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
find_program(REELSTACK_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(REELSTACK_FILE_UTILITY file)
mark_as_advanced(REELSTACK_DPKG_SHLIBDEPS REELSTACK_FILE_UTILITY)
if(NOT REELSTACK_DPKG_SHLIBDEPS OR NOT REELSTACK_FILE_UTILITY)
  message(STATUS "Packaging: dpkg-shlibdeps or file(1) not found: using the fallback Depends list")
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(_reelstack_depends
    "libc6 (>= 2.36)" "libstdc++6 (>= 12)" "libgcc-s1"
    "libqt6core6 (>= 6.4)" "libqt6network6 (>= 6.4)" "libsqlite3-0 (>= 3.40)")
  if(REELSTACK_DESKTOP)
    list(APPEND _reelstack_depends
      "libqt6gui6 (>= 6.4)" "libqt6widgets6 (>= 6.4)" "libqt6webenginewidgets6 (>= 6.4)")
  endif()
  list(JOIN _reelstack_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
  unset(_reelstack_depends)
endif()

# Maintainer scripts: make systemd see the new or removed unit template (instances
# are enabled by the administrator: systemctl enable --now platform@all).
set(_reelstack_debian_dir "${CMAKE_CURRENT_BINARY_DIR}/installer/debian")
file(MAKE_DIRECTORY "${_reelstack_debian_dir}")
foreach(script postinst postrm)
  file(WRITE "${_reelstack_debian_dir}/${script}"
    "#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then\n  systemctl daemon-reload || true\nfi\nexit 0\n")
  file(CHMOD "${_reelstack_debian_dir}/${script}"
    PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
file(WRITE "${_reelstack_debian_dir}/conffiles" "/etc/reelstack/reelstack.conf\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${_reelstack_debian_dir}/conffiles;${_reelstack_debian_dir}/postinst;${_reelstack_debian_dir}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
unset(_reelstack_debian_dir)

include(CPack)
