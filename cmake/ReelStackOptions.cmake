# One INTERFACE target carries the language standard, warnings and Qt's strictness
# defines, so every module and test is compiled the same way.
add_library(reelstack_options INTERFACE)
add_library(reelstack::options ALIAS reelstack_options)
target_compile_features(reelstack_options INTERFACE cxx_std_20)
target_compile_options(reelstack_options INTERFACE -Wall -Wextra)
target_compile_definitions(reelstack_options INTERFACE
  QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY
  QT_NO_URL_CAST_FROM_STRING QT_USE_QSTRINGBUILDER QT_NO_KEYWORDS
  REELSTACK_VERSION="${PROJECT_VERSION}")

# add_reelstack_module(name SOURCES ... PUBLIC_LIBS ... PRIVATE_LIBS ...)
# A module is a static library named reelstack_<name> with the alias reelstack::<name>.
function(add_reelstack_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(reelstack_${name} STATIC ${M_SOURCES})
  add_library(reelstack::${name} ALIAS reelstack_${name})
  target_include_directories(reelstack_${name} PUBLIC ${PROJECT_SOURCE_DIR}/modules)
  target_link_libraries(reelstack_${name} PUBLIC ${M_PUBLIC_LIBS} PRIVATE reelstack::options ${M_PRIVATE_LIBS})
endfunction()
