package io.aerolog.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency-by-percentile curves of several histograms into one PNG, as HdrHistogram's plotter does: the x axis
 * is {@code log10(1 / (1 - percentile))}, so 90%, 99%, 99.9%, 99.99% are equally spaced; the y axis is latency in
 * microseconds on a log scale (decades), so microsecond and millisecond curves fit one chart. Uses java.awt headless
 * (no display needed).
 */
public final class LatencyPlot
{
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 640;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final double MAX_NINES = 6.0;
    private static final double MIN_NINES = 4.0;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)
    };

    private final String title;
    private final List<String> names = new ArrayList<>();
    private final List<Histogram> histograms = new ArrayList<>();

    /**
     * @param title drawn above the chart.
     */
    public LatencyPlot(final String title)
    {
        this.title = title;
    }

    /**
     * Adds a curve; empty histograms are left out.
     *
     * @param name      in the legend.
     * @param histogram of latencies in nanoseconds.
     * @return this.
     */
    public LatencyPlot add(final String name, final Histogram histogram)
    {
        if (histogram.getTotalCount() > 0)
        {
            names.add(name);
            histograms.add(histogram);
        }
        return this;
    }

    /**
     * @param file as given by the user: {@code .png} is appended unless it ends with it.
     * @return the file the chart is written to.
     */
    public static File pngFile(final String file)
    {
        return new File(file.toLowerCase(Locale.ROOT).endsWith(".png") ? file : file + ".png");
    }

    /**
     * Draws the curves and writes the PNG.
     *
     * @param file to write.
     */
    public void write(final File file)
    {
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            draw(g);
        }
        finally
        {
            g.dispose();
        }
        try
        {
            if (!ImageIO.write(image, "png", file))
            {
                throw new IllegalStateException("no PNG writer available");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private void draw(final Graphics2D g)
    {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);

        long maxCount = 1;
        double minUs = Double.MAX_VALUE;
        double maxUs = 0;
        for (final Histogram h : histograms)
        {
            maxCount = Math.max(maxCount, h.getTotalCount());
            minUs = Math.min(minUs, Math.max(0.01, h.getMinNonZeroValue() / LatencyHistograms.NS_PER_US));
            maxUs = Math.max(maxUs, h.getMaxValue() / LatencyHistograms.NS_PER_US);
        }
        if (histograms.isEmpty())
        {
            minUs = 1;
            maxUs = 1000;
        }
        // One sample past the last nine we can resolve: 10,000 samples show up to 99.99%.
        final double maxNines = Math.min(MAX_NINES, Math.max(MIN_NINES, Math.ceil(Math.log10(maxCount))));
        final double yLow = Math.floor(Math.log10(minUs));
        final double yHigh = Math.max(yLow + 1, Math.ceil(Math.log10(Math.max(maxUs, minUs))));
        final Axes axes = new Axes(maxNines, yLow, yHigh);

        drawGrid(g, axes);
        for (int i = 0; i < histograms.size(); i++)
        {
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            g.draw(curve(histograms.get(i), axes));
        }
        drawLegend(g);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, TOP - 20);
    }

    private static Path2D curve(final Histogram histogram, final Axes axes)
    {
        final Path2D.Double path = new Path2D.Double();
        boolean first = true;
        for (final HistogramIterationValue v : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double percentile = v.getPercentileLevelIteratedTo();
            final double nines = percentile >= 100.0 ? axes.maxNines : Math.log10(100.0 / (100.0 - percentile));
            final double x = axes.x(Math.min(nines, axes.maxNines));
            final double us = Math.max(histogram.highestEquivalentValue(v.getValueIteratedTo()) /
                LatencyHistograms.NS_PER_US, Math.pow(10, axes.yLow));
            final double y = axes.y(Math.log10(us));
            if (first)
            {
                path.moveTo(x, y);
                first = false;
            }
            else
            {
                path.lineTo(x, y);
            }
            if (nines >= axes.maxNines)
            {
                break;
            }
        }
        return path;
    }

    private static void drawGrid(final Graphics2D g, final Axes axes)
    {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        final FontMetrics fm = g.getFontMetrics();
        final String[] xLabels = { "0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%" };
        for (int nines = 0; nines <= (int)axes.maxNines; nines++)
        {
            gridLineX(g, axes, nines, xLabels[nines], fm);
        }
        gridLineX(g, axes, Math.log10(2), "50%", fm);

        for (int decade = (int)axes.yLow; decade <= (int)axes.yHigh; decade++)
        {
            final int y = (int)Math.round(axes.y(decade));
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(Color.BLACK);
            final String label = decade >= 0 ? String.format(Locale.ROOT, "%,d", (long)Math.pow(10, decade)) :
                String.format(Locale.ROOT, "%." + (-decade) + "f", Math.pow(10, decade));
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + fm.getAscent() / 2);
        }

        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        final String xTitle = "percentile (x = log10(1 / (1 - p)))";
        g.drawString(xTitle, LEFT + (WIDTH - LEFT - RIGHT - fm.stringWidth(xTitle)) / 2, HEIGHT - 20);
        final Graphics2D rotated = (Graphics2D)g.create();
        rotated.rotate(-Math.PI / 2);
        final String yTitle = "latency (us, log scale)";
        rotated.drawString(yTitle, -(TOP + (HEIGHT - TOP - BOTTOM + fm.stringWidth(yTitle)) / 2), 20);
        rotated.dispose();
    }

    private static void gridLineX(
        final Graphics2D g, final Axes axes, final double nines, final String label, final FontMetrics fm)
    {
        final int x = (int)Math.round(axes.x(nines));
        g.setColor(new Color(0xdddddd));
        g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
        g.setColor(Color.BLACK);
        g.drawString(label, x - fm.stringWidth(label) / 2, HEIGHT - BOTTOM + fm.getHeight() + 2);
    }

    private void drawLegend(final Graphics2D g)
    {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        final FontMetrics fm = g.getFontMetrics();
        int width = 0;
        for (final String name : names)
        {
            width = Math.max(width, fm.stringWidth(name));
        }
        final int lineHeight = fm.getHeight() + 4;
        // Bottom right: curves rise to the right, so the low right corner is the emptiest.
        final int boxX = WIDTH - RIGHT - 12 - (width + 50);
        final int boxY = HEIGHT - BOTTOM - 12 - (names.size() * lineHeight + 10);
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(boxX, boxY, width + 50, names.size() * lineHeight + 10);
        g.setColor(Color.GRAY);
        g.drawRect(boxX, boxY, width + 50, names.size() * lineHeight + 10);
        for (int i = 0; i < names.size(); i++)
        {
            final int y = boxY + 5 + i * lineHeight + lineHeight / 2;
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(boxX + 8, y, boxX + 34, y);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), boxX + 42, y + fm.getAscent() / 2 - 1);
        }
    }

    /** Maps nines and log10(us) to pixels. */
    private static final class Axes
    {
        final double maxNines;
        final double yLow;
        final double yHigh;

        Axes(final double maxNines, final double yLow, final double yHigh)
        {
            this.maxNines = maxNines;
            this.yLow = yLow;
            this.yHigh = yHigh;
        }

        double x(final double nines)
        {
            return LEFT + nines / maxNines * (WIDTH - LEFT - RIGHT);
        }

        double y(final double log10Us)
        {
            return HEIGHT - BOTTOM - (log10Us - yLow) / (yHigh - yLow) * (HEIGHT - TOP - BOTTOM);
        }
    }
}
