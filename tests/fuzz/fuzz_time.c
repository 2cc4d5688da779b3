/*
** fuzz_time.c — kanal_time_parse, kanal_date_valid and kanal_date_why on any
** text: none may read or write out of bounds, and a time that parses must
** format and parse back to itself. Times without a zone are local: the
** target runs 14 hours east of UTC (Pacific/Kiritimati, where there is
** tzdata), so that a local time near the ends of the range is tried too.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kanal/datetime.h"
#include "kanal/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool zoned;
    if (!zoned) {
        setenv("TZ", "Pacific/Kiritimati", 1);
        tzset();
        zoned = true;
    }
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    kanal_error err;
    int64_t t = 0;
    if (kanal_time_parse(text, &t, &err) == 0) {
        char back[KANAL_TIME_LEN];
        kanal_time_format(t, back);
        int64_t again = 0;
        if (kanal_time_parse(back, &again, &err) != 0 || again != t)
            abort(); /* a time that parses formats to one that parses the same */
        (void)kanal_days_between(t, 0);
    }

    bool valid = kanal_date_valid(text);
    char why[128];
    kanal_date_why(text, why, sizeof why);
    if (valid != (why[0] == '\0'))
        abort(); /* no reason exactly when the date is valid */
    /* a short buffer is cut, never overrun */
    char tiny[8];
    kanal_date_why(text, tiny, sizeof tiny);
    kanal_date_why(text, tiny, 1);

    free(text);
    return 0;
}
