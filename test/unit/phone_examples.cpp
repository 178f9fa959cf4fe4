/*
 * phone_examples.cpp
 *	  Test helper for test_normalize.c: libphonenumber's example numbers for
 *	  a region, written the ways people type them there.
 *
 * Only libphonenumber's public API.  Test code: the extension never links
 * it.  As in src/phone.cpp, no exception crosses into the C caller.
 */
#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/* Bytes of one input, NUL included; test_normalize.c uses the same. */
#define CT_TEST_EXAMPLE_LEN 64

/* Regions whose numbers are also written as dialled from the region asked. */
static const char *const kForeignRegions[] = {
	"US", "GB", "DE", "IN", "IT", "JP", "BR", "AU", "CN", "RU", "FR", "MX"
};

/* Append s to out[*n] when it fits and there is room. */
static void
Add(const std::string &s, char (*out)[CT_TEST_EXAMPLE_LEN], int max, int *n)
{
	if (*n >= max || s.empty() || s.size() >= CT_TEST_EXAMPLE_LEN)
		return;
	std::memcpy(out[*n], s.c_str(), s.size() + 1);
	(*n)++;
}

/*
 * Fill out with up to max inputs for region (a supported region, upper
 * case) and return how many: for each number type with an example, the
 * example formatted NATIONAL, its national significant number, and both
 * after the region's calling code without a plus; then the fixed-line and
 * mobile examples of a dozen other regions as dialled from this one (after
 * its international prefix, or with a plus where it has no single one;
 * nationally when it is one of them).  -1 on error.
 */
extern "C" int
ct_test_example_inputs(const char *region, char (*out)[CT_TEST_EXAMPLE_LEN], int max)
{
	try
	{
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		std::string r(region);
		std::string cc = std::to_string(util->GetCountryCodeForRegion(r));
		int			n = 0;

		for (int type = 0; type < (int) PhoneNumberUtil::kMaxNumberType; type++)
		{
			PhoneNumber pn;
			std::string national;
			std::string nsn;

			if (!util->GetExampleNumberForType(r, (PhoneNumberUtil::PhoneNumberType) type, &pn))
				continue;
			util->Format(pn, PhoneNumberUtil::NATIONAL, &national);
			util->GetNationalSignificantNumber(pn, &nsn);
			Add(national, out, max, &n);
			Add(nsn, out, max, &n);
			Add(cc + " " + national, out, max, &n);
			Add(cc + nsn, out, max, &n);
		}
		for (const char *from : kForeignRegions)
		{
			for (int type = 0; type < 2; type++)
			{
				PhoneNumber pn;
				std::string dialled;

				if (!util->GetExampleNumberForType(from, (PhoneNumberUtil::PhoneNumberType) type, &pn))
					continue;
				util->FormatOutOfCountryCallingNumber(pn, r, &dialled);
				Add(dialled, out, max, &n);
			}
		}
		return n;
	}
	catch (...)
	{
		return -1;
	}
}

/*
 * The region's calling code and national prefix (NDD, digits only; empty
 * when it has none), into cc and ndd (8 bytes each).  -1 on error.
 */
extern "C" int
ct_test_region_prefixes(const char *region, char *cc, char *ndd)
{
	try
	{
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		std::string code = std::to_string(util->GetCountryCodeForRegion(region));
		std::string prefix;

		util->GetNddPrefixForRegion(region, true, &prefix);
		if (code.size() >= 8 || prefix.size() >= 8)
			return -1;
		std::memcpy(cc, code.c_str(), code.size() + 1);
		std::memcpy(ndd, prefix.c_str(), prefix.size() + 1);
		return 0;
	}
	catch (...)
	{
		return -1;
	}
}
