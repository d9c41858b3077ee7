# Warnings for advseg's own targets; dependencies are included as SYSTEM so
# their warnings never fail our build.
function(advseg_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local)
  if(ADVSEG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
