// SPDX-License-Identifier: GPL-2.0
/*
 * prdev: a page reporting device for prtop's kernel tests.  It registers
 * with the order and batch sizes it is given, accepts every report and
 * keeps count of what it was handed, so that a test sees from the device's
 * side what the core hands over: how many entries a report holds (never
 * more than the device's max_capacity) and their orders.
 *
 * Parameters (read-only), in /sys/module/prdev/parameters/:
 *   order         order asked for at registration (-1: unspecified)
 *   capacity      entries in a full report (0: the core's default)
 *   max_capacity  most entries a report may hold (0: capacity)
 *   reports       report() calls
 *   pages         base pages handed over
 *   max_nents     the largest report, in entries
 *   lowest        the lowest order seen, -1 before the first report
 */
#include <linux/module.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>

static int order = PAGE_REPORTING_ORDER_UNSPECIFIED;
module_param(order, int, 0444);
MODULE_PARM_DESC(order, "Order asked for (-1: unspecified)");

static unsigned int capacity, max_capacity;
module_param(capacity, uint, 0444);
module_param(max_capacity, uint, 0444);

static unsigned long reports, pages;
static unsigned int max_nents;
static int lowest = -1;
module_param(reports, ulong, 0444);
module_param(pages, ulong, 0444);
module_param(max_nents, uint, 0444);
module_param(lowest, int, 0444);

static struct page_reporting_dev_info prdev_dev;

/* called by the reporting worker only, one call at a time */
static int prdev_report(struct page_reporting_dev_info *prdev,
			struct scatterlist *sgl, unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(sgl, sg, nents, i) {
		int o = get_order(sg->length);

		if (lowest < 0 || o < lowest)
			WRITE_ONCE(lowest, o);
		WRITE_ONCE(pages, pages + (sg->length >> PAGE_SHIFT));
	}
	if (nents > max_nents)
		WRITE_ONCE(max_nents, nents);
	WRITE_ONCE(reports, reports + 1);
	return 0;
}

static int __init prdev_init(void)
{
	prdev_dev.report = prdev_report;
	prdev_dev.order = order;
	prdev_dev.capacity = capacity;
	prdev_dev.max_capacity = max_capacity;
	return page_reporting_register(&prdev_dev);
}

static void __exit prdev_exit(void)
{
	page_reporting_unregister(&prdev_dev);
}

module_init(prdev_init);
module_exit(prdev_exit);
MODULE_DESCRIPTION("page reporting device that counts what it is handed, for prtop's tests");
MODULE_LICENSE("GPL");
