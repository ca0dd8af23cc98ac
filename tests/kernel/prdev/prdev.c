// SPDX-License-Identifier: GPL-2.0
/*
 * prfloor: a page reporting device for prtop's kernel tests.  It declares
 * the lowest order it takes (min_order=) and, optionally, a preferred order
 * (order=), accepts every report and keeps count of what it was handed,
 * so that a test sees the order floor of the patch series from the
 * device's side: nothing below min_order may ever arrive here.
 *
 * Read-only parameters, in /sys/module/prfloor/parameters/:
 *   reports      report() calls
 *   pages        base pages handed over
 *   lowest       the lowest order seen, -1 before the first report
 *   below_floor  entries below min_order (must stay 0)
 */
#include <linux/module.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>

static unsigned int min_order;
module_param(min_order, uint, 0444);
MODULE_PARM_DESC(min_order, "Lowest order this device takes");

static unsigned int order;
module_param(order, uint, 0444);
MODULE_PARM_DESC(order, "Preferred order (0: pageblock order)");

static unsigned long reports, pages, below_floor;
static int lowest = -1;
module_param(reports, ulong, 0444);
module_param(pages, ulong, 0444);
module_param(below_floor, ulong, 0444);
module_param(lowest, int, 0444);

static struct page_reporting_dev_info prfloor_dev;

/* called by the reporting worker only, one call at a time */
static int prfloor_report(struct page_reporting_dev_info *prdev,
			  struct scatterlist *sgl, unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(sgl, sg, nents, i) {
		int o = get_order(sg->length);

		if (o < min_order)
			below_floor++;
		if (lowest < 0 || o < lowest)
			WRITE_ONCE(lowest, o);
		WRITE_ONCE(pages, pages + (sg->length >> PAGE_SHIFT));
	}
	WRITE_ONCE(reports, reports + 1);
	return 0;
}

static int __init prfloor_init(void)
{
	prfloor_dev.report = prfloor_report;
	prfloor_dev.order = order;
	prfloor_dev.min_order = min_order;
	return page_reporting_register(&prfloor_dev);
}

static void __exit prfloor_exit(void)
{
	page_reporting_unregister(&prfloor_dev);
}

module_init(prfloor_init);
module_exit(prfloor_exit);
MODULE_DESCRIPTION("page reporting device with an order floor, for prtop's tests");
MODULE_LICENSE("GPL");
