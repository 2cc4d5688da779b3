/* A shared object without the entry symbol: not a Kanal plugin. */
__attribute__((visibility("default"))) int something_else(void);
__attribute__((visibility("default"))) int something_else(void)
{
    return 42;
}
