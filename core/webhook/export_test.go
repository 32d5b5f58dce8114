package webhook

import "github.com/firmsync/firmsync/core/store"

// EnqueueForTest puts ev on the worker queue as if it had just been
// stored, so a test can send a barrier through the workers.
func (r *Receiver) EnqueueForTest(ev store.WebhookEvent) { r.queue <- ev }

// WaitForTest waits until every worker has returned (after the context
// given to Start ends).
func (r *Receiver) WaitForTest() { r.wg.Wait() }

// DeliveryRetries applies platform's documented retry rule to status.
func DeliveryRetries(platform string, status int) bool {
	return deliveryRetries(platform, status)
}

// DeliveryRule returns platform's documented retry rule and its source.
func DeliveryRule(platform string) (rule, source string) { return deliveryRule(platform) }
