const char kw_store_module[] = "store";
