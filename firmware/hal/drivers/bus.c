/*
 * bus.c - messages for enum bus_result.
 */
#include "bus.h"

const char *bus_strerror(int result)
{
    switch (result) {
    case BUS_OK:
        return "ok";
    case BUS_ERR_IO:
        return "SPI bus error";
    case BUS_ERR_ABSENT:
        return "sensor did not answer";
    case BUS_ERR_CRC:
        return "sensor frame CRC mismatch";
    case BUS_ERR_ARG:
        return "setting not supported by the sensor";
    case BUS_ERR_VERIFY:
        return "sensor register did not keep the value written";
    default:
        return "unknown driver error";
    }
}
