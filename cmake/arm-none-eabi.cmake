# CMake toolchain file for the STM32F405 firmware images (Cortex-M4F, hard
# float) with Debian's gcc-arm-none-eabi + libnewlib-arm-none-eabi.
#
#   cmake -S firmware/hal/cross -B build-arm \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#
# The host build does this by itself (firmware/hal/cross/CMakeLists.txt)
# whenever arm-none-eabi-gcc is on PATH.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

find_program(GC_ARM_GCC arm-none-eabi-gcc REQUIRED)
get_filename_component(GC_ARM_BIN ${GC_ARM_GCC} DIRECTORY)
set(CMAKE_C_COMPILER ${GC_ARM_GCC})
set(CMAKE_ASM_COMPILER ${GC_ARM_GCC})
set(CMAKE_OBJCOPY ${GC_ARM_BIN}/arm-none-eabi-objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE ${GC_ARM_BIN}/arm-none-eabi-size CACHE FILEPATH "size")

# No host executables can be linked or run while CMake probes the compiler.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(GC_MCU_FLAGS "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${GC_MCU_FLAGS} -ffunction-sections -fdata-sections -fno-common")
set(CMAKE_ASM_FLAGS_INIT "${GC_MCU_FLAGS}")
# Our own startup code (no crt0); newlib-nano for memcpy/memset only.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${GC_MCU_FLAGS} -nostartfiles --specs=nano.specs -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
