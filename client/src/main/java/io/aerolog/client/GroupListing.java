package io.aerolog.client;

/**
 * A consumer group as {@link Admin#listGroups} lists it.
 *
 * @param groupId     of the group.
 * @param memberCount live members.
 * @param groupEpoch  bumped on every change of membership or subscription.
 */
public record GroupListing(String groupId, int memberCount, int groupEpoch)
{
}
