# CMake package config for ossbridge: find_package(ossbridge) then link ossbridge::ossbridge
# (shared library) or ossbridge::ossbridge_static. Both carry the include directory with
# ossbridge.h (C) and ossbridge.hpp (header-only C++17 wrapper). Relocatable: paths are computed
# from this file's location, <prefix>/lib/cmake/ossbridge/.
get_filename_component(_ossbridge_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET ossbridge::ossbridge)
  add_library(ossbridge::ossbridge SHARED IMPORTED)
  set_target_properties(ossbridge::ossbridge PROPERTIES
    IMPORTED_LOCATION "${_ossbridge_prefix}/lib/libossbridge.so"
    IMPORTED_NO_SONAME TRUE
    INTERFACE_INCLUDE_DIRECTORIES "${_ossbridge_prefix}/include")
endif()

if(NOT TARGET ossbridge::ossbridge_static)
  find_package(Threads REQUIRED)
  add_library(ossbridge::ossbridge_static STATIC IMPORTED)
  set_target_properties(ossbridge::ossbridge_static PROPERTIES
    IMPORTED_LOCATION "${_ossbridge_prefix}/lib/libossbridge.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_ossbridge_prefix}/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m")
endif()

foreach(_ossbridge_file "${_ossbridge_prefix}/include/ossbridge.h" "${_ossbridge_prefix}/lib/libossbridge.so")
  if(NOT EXISTS "${_ossbridge_file}")
    set(ossbridge_FOUND FALSE)
    set(ossbridge_NOT_FOUND_MESSAGE "ossbridge is incomplete: ${_ossbridge_file} is missing")
  endif()
endforeach()
unset(_ossbridge_file)
unset(_ossbridge_prefix)
