/* Card number and IBAN checksums for the Acme terminal firmware (fictional, written for the leakguard demo). */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

int acme_luhn_valid(const char *digits) {
    size_t len = strlen(digits);
    int sum = 0;
    int double_it = 0;
    if (len < 12 || len > 19) {
        return 0;
    }
    for (size_t i = len; i > 0; i--) {
        char c = digits[i - 1];
        if (!isdigit((unsigned char)c)) {
            return 0;
        }
        int d = c - '0';
        if (double_it) {
            d *= 2;
            if (d > 9) {
                d -= 9;
            }
        }
        sum += d;
        double_it = !double_it;
    }
    return sum % 10 == 0;
}

int acme_iban_mod97(const char *iban) {
    char buffer[64];
    size_t len = strlen(iban);
    unsigned remainder = 0;
    if (len < 15 || len > 34) {
        return -1;
    }
    memcpy(buffer, iban + 4, len - 4);
    memcpy(buffer + len - 4, iban, 4);
    for (size_t i = 0; i < len; i++) {
        char c = buffer[i];
        if (isdigit((unsigned char)c)) {
            remainder = (remainder * 10 + (unsigned)(c - '0')) % 97;
        } else if (isupper((unsigned char)c)) {
            remainder = (remainder * 100 + (unsigned)(c - 'A' + 10)) % 97;
        } else {
            return -1;
        }
    }
    return (int)remainder;
}
